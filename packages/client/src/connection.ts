import {
  CLOSE_CODES,
  type ClientMessage,
  type HelloMessage,
  type LatencyProbeMessage,
  MeshError,
  type ParseFailure,
  type PingMessage,
  PROTOCOL_VERSION,
  type ServerMessage,
  encodeClientMessage,
  subprotocolFor,
} from "@meshwork/protocol";
import { backoffDelay } from "./backoff";
import { type Deferred, deferred } from "./deferred";
import {
  CONNECTION_TRANSITIONS,
  type ConnectionContext,
  type ConnectionEvent,
  type ConnectionState,
  isEstablished,
} from "./connectionMachine";
import { type StateEffect, StateMachine, type Transition } from "./fsm";
import type { ResolvedClientOptions } from "./options";
import { PingWatchdog, pingCheckInterval } from "./pingWatchdog";
import { Transport } from "./transport";
import { type FailedAttempt, type UrlRotation, connectFailure, movesToNextUrl } from "./urlRotation";

/** Server messages the connection does not handle itself. */
export type ApplicationMessage = Exclude<ServerMessage, HelloMessage | PingMessage | LatencyProbeMessage>;

/** What the {@link Connection} hands to its owner. */
export interface ConnectionHooks {
  /** Responses, errors, pushes and latency reports. */
  readonly message: (message: ApplicationMessage) => void;
  /** A ping arrived and was answered. */
  readonly ping: () => void;
  /** A frame could not be read; the socket stays open. */
  readonly invalidFrame: (failure: ParseFailure) => void;
  /** Restores subscriptions after a reconnect; must not reject. */
  readonly restore: () => Promise<void>;
}

const textEncoder = new TextEncoder();

/**
 * Owns the socket side of a client: drives the connection state machine, opens and disposes transports,
 * answers pings and latency probes, watches liveness and schedules reconnects. Every timer and socket it starts
 * belongs to a state effect, so leaving the state stops it.
 */
export class Connection {
  readonly #urls: UrlRotation;
  readonly #options: ResolvedClientOptions;
  readonly #hooks: ConnectionHooks;
  readonly #machine: StateMachine<ConnectionState, ConnectionEvent, ConnectionContext>;
  #transport: Transport | undefined;
  #hello: HelloMessage | undefined;
  #watchdog: PingWatchdog | undefined;
  #disposal: Promise<void> = Promise.resolve();
  #waiter: Deferred<void> | undefined;
  #failures: FailedAttempt[] = [];

  constructor(urls: UrlRotation, options: ResolvedClientOptions, hooks: ConnectionHooks) {
    this.#urls = urls;
    this.#options = options;
    this.#hooks = hooks;
    this.#machine = new StateMachine({
      initial: "idle",
      context: {
        shouldReconnect: options.shouldReconnect,
        maxReconnectAttempts: options.maxReconnectAttempts,
        attempts: 0,
        urlCount: urls.all.length,
        untriedUrls: 0,
      },
      transitions: CONNECTION_TRANSITIONS,
      effects: this.#effects(),
    });
    this.#machine.onTransition((transition) => this.#settleWaiter(transition));
    // After the waiter, whose error names the URL that failed; before the next attempt opens its socket.
    this.#machine.onTransition((transition) => {
      if (movesToNextUrl(transition)) urls.next();
    });
  }

  /** The current internal state. */
  get state(): ConnectionState {
    return this.#machine.state;
  }

  /** Reconnect bookkeeping, read by the owner to tell giving up from stopping. */
  get context(): Readonly<ConnectionContext> {
    return this.#machine.context;
  }

  /** The hello of the current or most recent connection. */
  get hello(): HelloMessage | undefined {
    return this.#hello;
  }

  /** Calls `listener` after every state transition. */
  onTransition(listener: (transition: Transition<ConnectionState, ConnectionEvent>) => void): () => void {
    return this.#machine.onTransition(listener);
  }

  /**
   * Resolves once online. From offline it tries each URL once, in order from the current one, without waiting
   * between attempts, and rejects when the last fails. While an attempt is under way every call returns the same
   * promise; while waiting to reconnect it starts the next attempt at once.
   */
  connect(): Promise<void> {
    if (this.state === "online") return Promise.resolve();
    this.#waiter ??= deferred<void>();
    const { promise } = this.#waiter;
    this.#machine.send({ type: "CONNECT" });
    return promise;
  }

  /** Goes offline for good and resolves once the socket, if any, has closed. */
  async close(): Promise<void> {
    this.#machine.send({ type: "CLOSE" });
    // A close() from inside a transition listener is handled once that transition ends, still synchronously;
    // one microtask later the disposal it started is the one to wait for.
    await null;
    await this.#disposal;
  }

  /**
   * Sends an encoded request on the established socket.
   * @throws MeshError `CONNECTION_CLOSED` when there is none, `PAYLOAD_TOO_LARGE` above the server's limit.
   */
  send(frame: string): void {
    const transport = this.#transport;
    if (transport === undefined || !isEstablished(this.state)) {
      throw new MeshError("CONNECTION_CLOSED", "The connection is not established");
    }
    const maxPayload = this.#hello?.maxPayload;
    // A UTF-16 code unit takes at most 3 UTF-8 bytes, so only long frames need encoding to be measured.
    if (maxPayload !== undefined && frame.length * 3 > maxPayload) {
      const size = textEncoder.encode(frame).length;
      if (size > maxPayload) {
        throw new MeshError("PAYLOAD_TOO_LARGE", `The request is ${size} bytes; the server accepts ${maxPayload}`);
      }
    }
    transport.send(frame);
  }

  #write(message: ClientMessage): void {
    // Liveness answers are best effort: if the socket is closing, its close event will tell the machine.
    if (this.#transport?.isOpen) this.#transport.send(encodeClientMessage(message));
  }

  #drop(code: number, reason: string): void {
    this.#machine.send({ type: "SOCKET_CLOSED", code, reason, local: true });
  }

  #receive(message: ServerMessage): void {
    switch (message.type) {
      case "hello":
        this.#onHello(message);
        return;
      case "ping":
        this.#write({ type: "pong" });
        this.#watchdog?.notePing();
        this.#hooks.ping();
        return;
      case "latency-probe":
        this.#write({ type: "latency-reply", id: message.id });
        return;
      default:
        this.#hooks.message(message);
    }
  }

  #onHello(hello: HelloMessage): void {
    if (this.state !== "connecting" && this.state !== "reconnecting") return;
    const selected = this.#transport?.protocol ?? "";
    // Browsers and `ws` already refuse a server that ignores the subprotocol; injected implementations may not.
    if (hello.protocol !== PROTOCOL_VERSION || (selected !== "" && selected !== subprotocolFor())) {
      const spoken = `server speaks protocol ${hello.protocol} (${selected || "no subprotocol"})`;
      this.#drop(CLOSE_CODES.PROTOCOL_MISMATCH.code, spoken);
      return;
    }
    this.#hello = hello;
    this.#machine.send({ type: "HELLO", hello });
  }

  #settleWaiter({ from, to, event }: Transition<ConnectionState, ConnectionEvent>): void {
    if (event.type === "SOCKET_CLOSED" && (from === "connecting" || to === "idle")) {
      this.#failures.push({ url: this.#urls.current, code: event.code, reason: event.reason });
    }
    if (to !== "online" && to !== "idle") return;
    const failures = this.#failures;
    this.#failures = [];
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter === undefined) return;
    if (to === "online") waiter.resolve();
    else if (event.type === "SOCKET_CLOSED") waiter.reject(connectFailure(failures));
    else waiter.reject(new MeshError("NOT_CONNECTED", "close() was called before the client got online"));
  }

  #openTransport(): void {
    try {
      const transport: Transport = new Transport(this.#urls.current, this.#options.WebSocket, {
        message: (message) => this.#receive(message),
        invalidFrame: (failure) => this.#hooks.invalidFrame(failure),
        close: (code, reason) => {
          if (this.#transport === transport) this.#machine.send({ type: "SOCKET_CLOSED", code, reason, local: false });
        },
      });
      this.#transport = transport;
    } catch (error) {
      this.#drop(1006, error instanceof Error ? error.message : String(error));
    }
  }

  #disposeTransport(event: ConnectionEvent | undefined): void {
    const transport = this.#transport;
    this.#transport = undefined;
    if (transport === undefined) return;
    this.#disposal =
      event?.type === "SOCKET_CLOSED"
        ? transport.dispose(event.code, event.reason)
        : transport.dispose(CLOSE_CODES.NORMAL.code, "client closed");
  }

  #effects(): StateEffect<ConnectionState, ConnectionEvent, ConnectionContext>[] {
    const options = this.#options;
    return [
      {
        // One socket spans an attempt and the connection it becomes; it goes when the machine leaves them.
        states: ["connecting", "reconnecting", "restoring", "online"],
        enter: () => {
          this.#openTransport();
          return (event) => this.#disposeTransport(event);
        },
      },
      {
        states: ["connecting", "reconnecting"],
        enter: () => {
          if (!Number.isFinite(options.connectTimeout)) return;
          const ms = options.connectTimeout;
          const timer = setTimeout(() => this.#drop(1006, `no hello from the server within ${ms} ms`), ms);
          return () => clearTimeout(timer);
        },
      },
      {
        // A connect() from offline counts the URLs left to try after this attempt; each further attempt uses one.
        states: ["connecting"],
        enter: (context, event) => {
          context.untriedUrls = event.type === "CONNECT" ? context.urlCount - 1 : context.untriedUrls - 1;
        },
      },
      {
        states: ["reconnecting"],
        enter: (context) => {
          context.attempts += 1;
        },
      },
      {
        states: ["online"],
        enter: (context) => {
          context.attempts = 0;
        },
      },
      {
        states: ["online", "restoring"],
        enter: () => {
          const interval = pingCheckInterval(options.pingTimeout, this.#hello?.pingInterval ?? 0);
          if (interval === undefined) return;
          const watchdog = new PingWatchdog(options.maxMissedPings);
          this.#watchdog = watchdog;
          const timer = setInterval(() => {
            if (watchdog.check()) this.#drop(CLOSE_CODES.PING_TIMEOUT.code, CLOSE_CODES.PING_TIMEOUT.reason);
          }, interval);
          return () => {
            clearInterval(timer);
            this.#watchdog = undefined;
          };
        },
      },
      {
        states: ["backoff"],
        enter: (context) => {
          const delay = backoffDelay(context.attempts + 1, {
            initial: options.reconnectInterval,
            max: options.maxReconnectInterval,
            jitter: "equal",
            random: Math.random,
          });
          const timer = setTimeout(() => this.#machine.send({ type: "RETRY" }), delay);
          return () => clearTimeout(timer);
        },
      },
      {
        states: ["restoring"],
        enter: () => {
          let current = true;
          const finish = () => {
            if (current) this.#machine.send({ type: "RESTORED" });
          };
          this.#hooks.restore().then(finish, finish);
          return () => {
            current = false;
          };
        },
      },
    ];
  }
}
