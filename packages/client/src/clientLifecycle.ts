import { CLOSE_CODES, type ClientLifecycleEvent, MeshError, closeActionFor } from "@meshwork/protocol";
import {
  type ConnectionContext,
  type ConnectionEvent,
  type ConnectionState,
  dropOutcome,
  statusOf,
} from "./connectionMachine";
import { Emitter } from "./emitter";
import type { Transition } from "./fsm";
import type { ClientLifecycleHandlers, ClientStatus, DisconnectInfo } from "./types";

/** The arguments of each lifecycle event, as its handler receives them. */
export type LifecycleArgs = { [K in ClientLifecycleEvent]: Parameters<ClientLifecycleHandlers[K]> };

function disconnectInfo(event: ConnectionEvent): DisconnectInfo {
  return event.type === "SOCKET_CLOSED"
    ? { code: event.code, reason: event.reason, action: closeActionFor(event.code) }
    : { code: CLOSE_CODES.NORMAL.code, reason: "client closed", action: "stop" };
}

/**
 * What the application is told about the client's life: the public status, and the lifecycle events (`status`,
 * `connect`, `reconnect`, `disconnect`, `reconnectfailed`, `close`, `error`, …) derived from the connection's
 * state transitions. A listener that throws is reported through `error`, never into the client's own work.
 */
export class ClientLifecycle {
  readonly events: Emitter<LifecycleArgs>;
  #status: ClientStatus = "offline";
  #latency: number | undefined;

  constructor() {
    this.events = new Emitter<LifecycleArgs>((error, event) => this.reportListenerError(error, event));
  }

  /** `connecting`, `online`, `reconnecting` or `offline`. */
  get status(): ClientStatus {
    return this.#status;
  }

  /** Last round trip the server measured, in milliseconds; `undefined` until the first measurement. */
  get latency(): number | undefined {
    return this.#latency;
  }

  /** Takes the server's latency report and emits `latency`. */
  reportLatency(ms: number): void {
    this.#latency = ms;
    this.events.emit("latency", ms);
  }

  /** Tells the application about one transition of the connection; status events fire only on real changes. */
  announce(
    { from, to, event }: Transition<ConnectionState, ConnectionEvent>,
    connectionId: string | undefined,
    context: Readonly<ConnectionContext>,
  ): void {
    const status = statusOf(to);
    if (status !== this.#status) {
      this.#status = status;
      this.events.emit("status", status);
    }
    if (from === "online") this.events.emit("disconnect", disconnectInfo(event));
    if (to === "online")
      this.events.emit(from === "connecting" ? "connect" : "reconnect", { connectionId: connectionId ?? "" });
    if (to === "idle") {
      const gaveUp =
        event.type === "SOCKET_CLOSED" && from !== "connecting" && dropOutcome(event.code, context) === "exhausted";
      if (gaveUp) this.events.emit("reconnectfailed");
      this.events.emit("close");
    }
  }

  /** Emits `error`, or logs to the console when nobody listens. */
  reportError(error: MeshError): void {
    if (this.events.listenerCount("error") > 0) this.events.emit("error", error);
    else console.error("[meshwork]", error);
  }

  /** Reports a listener that threw (an `error` listener that throws is only logged, to avoid a loop). */
  reportListenerError(error: unknown, event: string): void {
    if (event === "error") {
      console.error(`[meshwork] An "error" listener threw:`, error);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.reportError(
      new MeshError("INTERNAL_ERROR", `A "${event}" listener threw: ${message}`, { cause: error, details: { event } }),
    );
  }
}
