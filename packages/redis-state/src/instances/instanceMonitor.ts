import { randomUUID } from "node:crypto";
import type { MeshState } from "../meshState";
import type { ReapedConnection } from "./instanceStore";

/** Options of {@link InstanceMonitor}. */
export interface InstanceMonitorOptions {
  /** The state whose instance store holds the heartbeats. */
  readonly state: Pick<MeshState, "instances">;
  readonly instanceId: string;
  /** Milliseconds between this instance's heartbeats, and between its sweeps for dead instances. */
  readonly heartbeatInterval: number;
  /** Milliseconds a heartbeat keeps an instance alive. Must exceed `heartbeatInterval`. */
  readonly instanceTtl: number;
  /** Called on the one survivor that removed a dead instance's state, with what it removed. */
  readonly onInstanceReaped: (instanceId: string, connections: ReapedConnection[]) => void;
  /**
   * Called when a heartbeat finds this instance had expired (Redis was away longer than the TTL, or the
   * process stalled): survivors may have removed its state, so the instance registers it again.
   */
  readonly onExpired: () => Promise<void>;
  /**
   * Called when a heartbeat finds the store's generation changed: the shared state lost its data (a Redis restarted
   * without persistence, or flushed), so what clients hold (record versions, channel positions) no longer matches
   * it. Runs before `onExpired`.
   */
  readonly onStateReset?: () => Promise<void>;
  /** Called after every heartbeat that reached the store: a moment to retry writes that failed while it was away. */
  readonly onHeartbeat?: () => Promise<void>;
  readonly onError: (error: unknown) => void;
}

/**
 * Keeps one instance alive in the shared state and removes the state of instances that stopped
 * heartbeating. Every instance sweeps; the reap itself is atomic and locked, so exactly one survivor
 * removes (and reports) each dead instance's connections. A dead instance is removed at most
 * `instanceTtl + heartbeatInterval` after its last beat.
 */
export class InstanceMonitor {
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<void> | null = null;
  private lastBeat: number | undefined;
  /** The store's generation as this instance first found it (see `InstanceStore.generation`). */
  private generation: string | undefined;

  constructor(private readonly options: InstanceMonitorOptions) {
    if (options.instanceTtl <= options.heartbeatInterval) {
      throw new RangeError("instanceTtl must be longer than heartbeatInterval");
    }
  }

  /** Sends the first heartbeat, then keeps beating and sweeping until {@link stop}. */
  async start(): Promise<void> {
    const { state, instanceId, instanceTtl, heartbeatInterval } = this.options;
    await state.instances.heartbeat(instanceId, instanceTtl);
    this.generation = await state.instances.generation(randomUUID());
    this.lastBeat = performance.now();
    this.timer = setInterval(() => void this.tick(), heartbeatInterval);
    this.timer.unref?.();
  }

  /**
   * Stops beating and sweeping, and resolves once a beat or sweep under way has finished, so the caller
   * can close the store behind it. The instance's state is left for the caller to remove.
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /**
   * Milliseconds since the last heartbeat that reached the store (`performance.now()` clock), or `undefined`
   * before the first one. Older than `instanceTtl`, the instance counts as dead to the others.
   */
  heartbeatAge(): number | undefined {
    return this.lastBeat === undefined ? undefined : performance.now() - this.lastBeat;
  }

  /** One beat and one sweep (never two at once); exposed so tests and shutdown paths can run it on demand. */
  tick(): Promise<void> {
    this.inFlight ??= this.beatAndSweep().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async beatAndSweep(): Promise<void> {
    try {
      await this.beat();
      await this.sweep();
    } catch (error) {
      this.options.onError(error);
    }
  }

  private async beat(): Promise<void> {
    const { state, instanceId, instanceTtl } = this.options;
    const wasAlive = await state.instances.heartbeat(instanceId, instanceTtl);
    this.lastBeat = performance.now();
    const generation = await state.instances.generation(randomUUID());
    if (generation !== this.generation) {
      this.generation = generation;
      if (this.timer) await this.options.onStateReset?.();
    }
    if (!wasAlive && this.timer) await this.options.onExpired();
    await this.options.onHeartbeat?.();
  }

  private async sweep(): Promise<void> {
    const { state, instanceId } = this.options;
    const others = (await state.instances.list()).filter((id) => id !== instanceId);
    for (const other of others) {
      if (await state.instances.isAlive(other)) continue;
      const reaped = await state.instances.reap(other, { lockTtlMs: Math.max(5_000, this.options.instanceTtl) });
      if (reaped) this.options.onInstanceReaped(other, reaped);
    }
  }
}
