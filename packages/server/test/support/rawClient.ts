import { type HelloMessage, type ServerMessage, subprotocolFor } from "@meshwork/protocol";
import { WebSocket } from "ws";

/** A frame the server sent, parsed; `unknown` fields stay loose so tests can look at anything. */
export type Frame = ServerMessage & Record<string, unknown>;

/** How a raw test socket connects and behaves. */
export interface RawClientOptions {
  /** Subprotocols to offer. @default ["meshwork.v1"] */
  protocols?: string[];
  /** Extra request headers (e.g. credentials for `authenticateConnection`). */
  headers?: Record<string, string>;
  /** Answer `ping` with `pong`. @default true */
  autoPong?: boolean;
  /** Answer `latency-probe` with `latency-reply`. @default true */
  autoLatencyReply?: boolean;
  /** Resolve `connect` only after `hello` arrived. @default true */
  waitForHello?: boolean;
}

/** Why and how a socket closed. */
export interface CloseResult {
  code: number;
  reason: string;
}

interface Waiter {
  predicate: (frame: Frame) => boolean;
  resolve: (frame: Frame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_WAIT_MS = 5_000;

/**
 * A bare `ws` client speaking the meshwork wire protocol by hand: no MeshClient involved, so server tests
 * see exactly the frames the server sends and can send anything, valid or not.
 */
export class RawClient {
  /** Every frame received, in order. */
  readonly frames: Frame[] = [];
  /** Resolves with the close code and reason once the socket closed. */
  readonly closed: Promise<CloseResult>;
  private readonly waiters = new Set<Waiter>();
  private nextId = 1;
  private helloFrame: HelloMessage | null = null;

  private constructor(
    readonly socket: WebSocket,
    private readonly options: RawClientOptions,
  ) {
    this.closed = new Promise((resolve) => {
      socket.on("close", (code, reason) => {
        for (const waiter of this.waiters) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error(`socket closed (${code}) while waiting for a frame`));
        }
        this.waiters.clear();
        resolve({ code, reason: reason.toString() });
      });
    });
    socket.on("message", (data) => this.onMessage(data.toString()));
    socket.on("error", () => {});
  }

  /** Opens a socket to `url`; by default waits for the server's `hello`. */
  static async connect(url: string, options: RawClientOptions = {}): Promise<RawClient> {
    const socket = new WebSocket(url, options.protocols ?? [subprotocolFor()], { headers: options.headers });
    const client = new RawClient(socket, options);
    const hello = options.waitForHello === false ? null : client.waitFor((frame) => frame.type === "hello");
    // When opening fails, the hello wait fails too; the open error is the one to report.
    hello?.catch(() => {});
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
      socket.once("unexpected-response", (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    });
    if (hello) client.helloFrame = (await hello) as unknown as HelloMessage;
    return client;
  }

  /** The `hello` the server sent. */
  get hello(): HelloMessage {
    if (!this.helloFrame) throw new Error("no hello received");
    return this.helloFrame;
  }

  /** Sends a request and resolves with its `response` or `error` frame. */
  async request(command: string, payload?: unknown, timeoutMs = DEFAULT_WAIT_MS): Promise<Frame> {
    const id = this.nextId++;
    const answer = this.waitFor(
      (frame) => (frame.type === "response" || frame.type === "error") && frame.id === id,
      timeoutMs,
    );
    this.send({ type: "request", id, command, payload });
    return answer;
  }

  /** Sends a value as JSON. */
  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Sends raw text or bytes. */
  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** Resolves with the first frame, already received or still to come, that matches. */
  waitFor(predicate: (frame: Frame) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<Frame> {
    const seen = this.frames.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`no matching frame within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Frames of one type received so far. */
  framesOf(type: Frame["type"]): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<CloseResult> {
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN)
      this.socket.close();
    return this.closed;
  }

  private onMessage(text: string): void {
    const frame = JSON.parse(text) as Frame;
    this.frames.push(frame);
    if (frame.type === "ping" && this.options.autoPong !== false) this.send({ type: "pong" });
    if (frame.type === "latency-probe" && this.options.autoLatencyReply !== false) {
      this.send({ type: "latency-reply", id: frame.id });
    }
    for (const waiter of this.waiters) {
      if (!waiter.predicate(frame)) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve(frame);
    }
  }
}

/** Attempts an upgrade that the server is expected to refuse; resolves with the HTTP status it answered. */
export function expectUpgradeRefused(
  url: string,
  options: Pick<RawClientOptions, "protocols" | "headers"> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocols ?? [subprotocolFor()], { headers: options.headers });
    socket.on("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.destroy();
      socket.terminate();
    });
    socket.on("open", () => {
      socket.terminate();
      reject(new Error("upgrade was accepted"));
    });
    socket.on("error", (error) => reject(error));
  });
}
