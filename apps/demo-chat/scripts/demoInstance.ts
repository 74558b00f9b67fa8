// What the launcher does with an instance, whichever way it runs (a child process, or inside the launcher).
import type { InstanceName } from "../server/demoServer";
import type { ReadyInfo } from "../server/readyLine";

/** An instance the launcher starts, restarts and stops. */
export interface DemoInstance {
  readonly name: InstanceName;
  /** Starts it; resolves once it serves. @throws Error when it cannot start. */
  start(): Promise<ReadyInfo>;
  /** Stops it, if running; resolves once nothing of it is left. */
  stop(): Promise<void>;
}
