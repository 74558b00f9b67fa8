import type { AddressInfo } from "node:net";
import {
  type ClientMessage,
  type HelloMessage,
  PROTOCOL_VERSION,
  type ServerMessage,
  encodeServerMessage,
  parseClientMessage,
  subprotocolFor,
} from "@meshwork/protocol";
import { type WebSocket, WebSocketServer } from "ws";
import { ScriptedChannels } from "./scriptedChannels";
import { ScriptedPresence } from "./scriptedPresence";
import { ScriptedRecords } from "./scriptedRecords";

/** Answers a request: the return value becomes the `response`; a throw becomes an `error` message. */
export type ScriptedHandler = (payload: unknown, connection: ScriptedConnection) => unknown;

/** How a {@link ScriptedServer} behaves; every field can be changed between connections. */
export interface ScriptedServerOptions {
  /** Announced in hello; with `autoPing`, also how often pings are sent. */
  pingInterval: number;
  /** Send `ping` every `pingInterval` ms on each new connection. */
  autoPing: boolean;
  /** Announced in hello. */
  latencyInterval: number;
  /** Announced in hello. */
  maxPayload: number;
  /** Protocol version announced in hello. */
  protocol: number;
  /** Send the hello on connection; turn off to test a server that never says hello. */
  sendHello: boolean;
}

const DEFAULTS: ScriptedServerOptions = {
  pingInterval: 30_000,
  autoPing: false,
  latencyInterval: 5_000,
  maxPayload: 1_048_576,
  protocol: PROTOCOL_VERSION,
  sendHello: true,
};

// Shared across servers and restarts so every connection id a test sees is new.
let connectionCounter = 0;

/** One client connection as the scripted server sees it. */
export class ScriptedConnection {
  readonly id = `conn-${++connectionCounter}`;
  readonly received: ClientMessage[] = [];
  readonly socket: WebSocket;
  readonly offeredProtocol: string | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;

  constructor(socket: WebSocket, offeredProtocol: string | undefined) {
    this.socket = socket;
    this.offeredProtocol = offeredProtocol;
    socket.on("close", () => this.stopPinging());
  }

  /** Sends a message, or a raw string to test bad frames. */
  send(message: ServerMessage | string): void {
    this.socket.send(typeof message === "string" ? message : encodeServerMessage(message));
  }

  push(command: string, payload?: unknown): void {
    this.send({ type: "push", command, payload });
  }

  ping(): void {
    this.send({ type: "ping" });
  }

  startPinging(interval: number): void {
    this.stopPinging();
    this.#pingTimer = setInterval(() => this.ping(), interval);
  }

  stopPinging(): void {
    clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  /** The payloads of the requests this connection received for `command`, in order. */
  payloadsOf(command: string): unknown[] {
    return this.received.flatMap((message) =>
      message.type === "request" && message.command === command ? [message.payload] : [],
    );
  }

  /** Requests this connection received, by command name, in order. */
  requestedCommands(): string[] {
    return this.received.flatMap((message) => (message.type === "request" ? [message.command] : []));
  }
}

/**
 * A tiny server that speaks meshwork's wire protocol from @meshwork/protocol, for testing the client without
 * @meshwork/server: hello on connect, requests answered by registered handlers, channels with history, records, rooms and presence,
 * and helpers to push, ping, probe, drop connections and stop/restart on the same port.
 */
export class ScriptedServer {
  readonly options: ScriptedServerOptions;
  readonly connections: ScriptedConnection[] = [];
  /** Channel subscriptions and history, answering `mesh/subscribe-channel` and `mesh/unsubscribe-channel`. */
  readonly channels: ScriptedChannels;
  /** Records, answering `mesh/subscribe-record`, `mesh/unsubscribe-record` and `mesh/publish-record-update`. */
  readonly records: ScriptedRecords;
  /** Rooms and presence, answering `mesh/join-room`, `mesh/leave-room` and the presence commands. */
  readonly presence: ScriptedPresence;
  readonly #handlers = new Map<string, ScriptedHandler>();
  #wss: WebSocketServer | undefined;
  #port = 0;

  private constructor(options: Partial<ScriptedServerOptions>) {
    this.options = { ...DEFAULTS, ...options };
    this.handle("echo", (payload) => payload);
    this.channels = new ScriptedChannels((command, handler) => this.handle(command, handler));
    this.records = new ScriptedRecords((command, handler) => this.handle(command, handler));
    this.presence = new ScriptedPresence((command, handler) => this.handle(command, handler));
  }

  /** Starts a server on a free port of 127.0.0.1. */
  static async start(options: Partial<ScriptedServerOptions> = {}): Promise<ScriptedServer> {
    const server = new ScriptedServer(options);
    await server.#listen();
    return server;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#wss !== undefined;
  }

  /** The most recent connection. */
  get latest(): ScriptedConnection {
    const connection = this.connections.at(-1);
    if (connection === undefined) throw new Error("no connection yet");
    return connection;
  }

  /** Registers how a command is answered. */
  handle(command: string, handler: ScriptedHandler): void {
    this.#handlers.set(command, handler);
  }

  /**
   * Stops listening. Open sockets are closed with `code` when given, otherwise dropped without a close frame,
   * the way a crashed server looks to its clients (code 1006).
   */
  async stop(code?: number): Promise<void> {
    const wss = this.#wss;
    if (wss === undefined) return;
    this.#wss = undefined;
    for (const socket of wss.clients) {
      if (code === undefined) socket.terminate();
      else socket.close(code, "server stopped");
    }
    await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
  }

  /** Listens again on the same port. */
  async restart(): Promise<void> {
    await this.#listen();
  }

  #listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({
        host: "127.0.0.1",
        port: this.#port,
        handleProtocols: (offered) => (offered.has(subprotocolFor()) ? subprotocolFor() : false),
      });
      wss.once("error", reject);
      wss.once("listening", () => {
        this.#port = (wss.address() as AddressInfo).port;
        this.#wss = wss;
        resolve();
      });
      wss.on("connection", (socket, request) => this.#accept(socket, request.headers["sec-websocket-protocol"]));
    });
  }

  #accept(socket: WebSocket, offeredProtocol: string | undefined): void {
    const connection = new ScriptedConnection(socket, offeredProtocol);
    this.connections.push(connection);
    socket.on("message", (data) => void this.#receive(connection, data as Buffer));
    const { options } = this;
    if (options.sendHello) {
      const hello: HelloMessage = {
        type: "hello",
        connectionId: connection.id,
        protocol: options.protocol,
        pingInterval: options.pingInterval,
        latencyInterval: options.latencyInterval,
        maxPayload: options.maxPayload,
      };
      connection.send(hello);
    }
    if (options.autoPing) connection.startPinging(options.pingInterval);
  }

  async #receive(connection: ScriptedConnection, data: Buffer): Promise<void> {
    const parsed = parseClientMessage(data);
    if (!parsed.ok) {
      connection.send({ type: "error", id: parsed.id ?? 0, error: { code: "BAD_MESSAGE", message: parsed.message } });
      return;
    }
    const message = parsed.message;
    connection.received.push(message);
    if (message.type !== "request") return;
    const handler = this.#handlers.get(message.command);
    if (handler === undefined) {
      connection.send({
        type: "error",
        id: message.id,
        error: { code: "UNKNOWN_COMMAND", message: `Unknown command "${message.command}"` },
      });
      return;
    }
    try {
      const result = await handler(message.payload, connection);
      if (connection.socket.readyState === connection.socket.OPEN) {
        connection.send({ type: "response", id: message.id, result });
      }
    } catch (thrown) {
      const error = thrown as { code?: string; message?: string; details?: unknown };
      connection.send({
        type: "error",
        id: message.id,
        error: { code: error.code ?? "COMMAND_FAILED", message: error.message ?? "failed", details: error.details },
      });
    }
  }
}
