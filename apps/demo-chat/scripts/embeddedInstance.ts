// An instance inside the launcher's process, on the in-memory state both embedded instances share (the mode
// without Redis).
import type { MeshState } from "@meshwork/redis-state";
import type { InstanceName } from "../server/demoServer";
import { type RunningInstance, startInstance } from "../server/instance";
import type { ReadyInfo } from "../server/readyLine";
import type { DemoInstance } from "./demoInstance";

/** Settings of an {@link EmbeddedInstance}. */
export interface EmbeddedInstanceOptions {
  readonly port: number;
  readonly host: string;
  readonly keyPrefix: string;
  /** Shared by both instances; it outlives their restarts and is closed by its owner. */
  readonly state: MeshState;
}

/** Starts the instance's HTTP and mesh servers in this process; a restart closes both and makes new ones. */
export class EmbeddedInstance implements DemoInstance {
  private running: RunningInstance | null = null;

  constructor(
    readonly name: InstanceName,
    private readonly options: EmbeddedInstanceOptions,
  ) {}

  async start(): Promise<ReadyInfo> {
    this.running = await startInstance({ instance: this.name, ...this.options });
    return { instance: this.name, url: this.running.url, pid: process.pid };
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = null;
    await running?.close();
  }
}
