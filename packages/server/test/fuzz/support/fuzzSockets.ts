import { isMeshErrorCode, subprotocolFor } from "@meshwork/protocol";
import { WebSocket } from "ws";
import type { FuzzFrame } from "./frameArbitraries";

interface Slot {
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<void>;
}

/**
 * A pool of raw `ws` sockets sending fuzz frames. A socket the server closes is counted by close code and
 * replaced, so limits that close connections (4003, 4005, 1009, …) never stop a run. Everything the server
 * sends is read and checked to be a JSON message; error answers are counted by code.
 */
export class FuzzSocketPool {
  /** Server-initiated closes, by code. */
  readonly closes = new Map<number, number>();
  /** Frames received, by type (`error:<code>` for errors). */
  readonly answers = new Map<string, number>();
  /** Frames sent, by how they were made. */
  readonly sentByKind = new Map<string, number>();
  /** Anything the server did that a client could not make sense of. */
  readonly problems: string[] = [];
  /** The `connectionId` of every fuzz connection that got its `hello`. */
  readonly connectionIds = new Set<string>();
  framesSent = 0;
  bytesSent = 0;
  private readonly slots: Slot[] = [];
  private stopping = false;
  // Marker ids stay above the ids fuzz frames use, so a fuzz answer is never taken for a marker's.
  private nextMarkerId = 2 ** 52;
  private readonly markers = new Map<number, () => void>();

  constructor(
    private readonly url: string,
    readonly size: number,
  ) {
    for (let index = 0; index < size; index++) this.slots.push(this.open(index));
  }

  /** Sends a frame on its socket, first waiting for a replacement when that socket was closed. */
  async send(frame: FuzzFrame): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const slot = this.slots[frame.socket % this.size] as Slot;
      if (slot.socket.readyState === WebSocket.OPEN) {
        // A send racing the server's close fails in the callback; the frame simply did not go out.
        for (let copy = 0; copy < frame.repeat; copy++)
          slot.socket.send(frame.data, { binary: frame.binary }, () => {});
        this.framesSent += frame.repeat;
        const size = typeof frame.data === "string" ? Buffer.byteLength(frame.data) : frame.data.byteLength;
        this.bytesSent += size * frame.repeat;
        this.sentByKind.set(frame.kind, (this.sentByKind.get(frame.kind) ?? 0) + frame.repeat);
        return;
      }
      if (slot.socket.readyState === WebSocket.CONNECTING) await slot.opened.catch(() => {});
      else await slot.closed;
    }
    this.problems.push(`socket ${frame.socket} could not be (re)opened`);
  }

  /**
   * Resolves once the server has read everything sent so far: each open socket sends a marker request and waits
   * for its answer (or for the socket to close). This keeps the fuzz at the pace the server reads, so a run
   * measures how the server copes with bad input rather than how long a backlog of it grows.
   */
  async settle(timeoutMs = 10_000): Promise<void> {
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.socket.readyState !== WebSocket.OPEN) return;
        const id = this.nextMarkerId++;
        const answered = new Promise<void>((resolve) => this.markers.set(id, resolve));
        slot.socket.send(JSON.stringify({ type: "request", id, command: "echo" }), () => {});
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            this.problems.push(`no answer to a marker request within ${timeoutMs} ms`);
            resolve();
          }, timeoutMs);
        });
        await Promise.race([answered, slot.closed, timeout]);
        clearTimeout(timer);
        this.markers.delete(id);
      }),
    );
  }

  /** Closes every socket (client-initiated closes are not counted) and waits until all are closed. */
  async closeAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        await slot.opened.catch(() => {});
        if (slot.socket.readyState === WebSocket.OPEN) slot.socket.close(1000);
        await slot.closed;
      }),
    );
  }

  private open(index: number): Slot {
    const socket = new WebSocket(this.url, [subprotocolFor()]);
    let closedByUs = false;
    const opened = new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    opened.catch(() => {});
    const closed = new Promise<void>((resolve) => {
      socket.once("close", (code) => {
        closedByUs = this.stopping;
        if (!closedByUs) {
          this.closes.set(code, (this.closes.get(code) ?? 0) + 1);
          this.slots[index] = this.open(index);
        }
        resolve();
      });
    });
    socket.on("error", () => {});
    socket.on("unexpected-response", (_request, response) => {
      this.problems.push(`upgrade refused with HTTP ${response.statusCode}`);
    });
    socket.on("message", (data, isBinary) => this.onMessage(data.toString(), isBinary));
    return { socket, opened, closed };
  }

  private onMessage(text: string, isBinary: boolean): void {
    if (isBinary) this.problems.push("the server sent a binary frame");
    let frame: {
      type?: unknown;
      id?: unknown;
      connectionId?: unknown;
      error?: { code?: unknown; message?: unknown; stack?: unknown };
    };
    try {
      frame = JSON.parse(text);
    } catch {
      this.problems.push(`the server sent a frame that is not JSON: ${text.slice(0, 80)}`);
      return;
    }
    if (typeof frame.id === "number" && this.markers.has(frame.id)) {
      this.markers.get(frame.id)?.();
      return;
    }
    const key = frame.type === "error" ? `error:${String(frame.error?.code)}` : String(frame.type);
    this.answers.set(key, (this.answers.get(key) ?? 0) + 1);
    if (frame.type === "hello" && typeof frame.connectionId === "string") this.connectionIds.add(frame.connectionId);
    if (frame.type === "error") {
      const code = frame.error?.code;
      if (typeof code !== "string" || !isMeshErrorCode(code))
        this.problems.push(`undocumented error code ${String(code)}`);
      if (typeof frame.error?.message !== "string")
        this.problems.push(`error without a message: ${text.slice(0, 120)}`);
      if (text.includes("    at ")) this.problems.push(`an error frame carries a stack trace: ${text.slice(0, 200)}`);
    }
  }
}
