import type { MeshState } from "@meshwork/redis-state";
import type { HealthReport, HealthStatus } from "./healthReport";

/**
 * Milliseconds `health()` waits for the shared state to answer its PING; a store that has not answered by then
 * is reported unreachable, so a health check never hangs.
 */
export const HEALTH_PROBE_TIMEOUT_MS = 1_000;

/** What a health check reads: each a plain getter, and one PING to the store. */
export interface HealthSources {
  readonly instanceId: string;
  readonly state: MeshState;
  readonly instanceTtl: number;
  listening(): boolean;
  closing(): boolean;
  connections(): number;
  /** Milliseconds since the last heartbeat reached the store; `undefined` before the first. */
  heartbeatAge(): number | undefined;
}

/** Checks the listener, the shared state and the heartbeat, and says why when anything is wrong. */
export async function checkHealth(sources: HealthSources): Promise<HealthReport> {
  const probe = await sources.state.probe(HEALTH_PROBE_TIMEOUT_MS);
  const age = sources.heartbeatAge();
  const ageMs = age === undefined ? null : Math.round(age);
  const fresh = age !== undefined && age < sources.instanceTtl;
  const listening = sources.listening();
  const closing = sources.closing();
  const reasons: string[] = [];
  if (closing) reasons.push("the server is closing");
  if (!listening && !closing) reasons.push("the server is not listening for connections");
  if (!probe.reachable) reasons.push(probe.error ?? "the shared state is unreachable");
  if (ageMs === null) reasons.push("no heartbeat has reached the shared state yet");
  else if (!fresh) {
    reasons.push(`the last heartbeat reached the shared state ${ageMs} ms ago (instanceTtl ${sources.instanceTtl} ms)`);
  }
  let status: HealthStatus = "ok";
  if (closing) status = "closing";
  else if (ageMs === null && probe.reachable) status = "starting";
  else if (reasons.length > 0) status = "degraded";
  return {
    status,
    reasons,
    instanceId: sources.instanceId,
    listening: listening && !closing,
    connections: sources.connections(),
    redis: { kind: sources.state.kind, ...probe },
    heartbeat: { fresh, ageMs },
  };
}
