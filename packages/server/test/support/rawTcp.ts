import { randomBytes } from "node:crypto";
import { type Socket, connect } from "node:net";

/** Encodes a masked client text frame, as a WebSocket client must send it. */
export function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length >= 65_536) throw new Error("test frames stay under 64 KiB");
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const mask = randomBytes(4);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([header, mask, masked]);
}

/**
 * A WebSocket client written by hand over TCP, for what `ws` cannot do: put frames in the same write as the
 * upgrade request, so they reach the server together with the handshake.
 */
export class TcpWebSocket {
  /** Text of every server frame received after the handshake. */
  readonly messages: string[] = [];
  private buffer = Buffer.alloc(0);
  private upgraded = false;
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", () => {});
  }

  /** Connects and sends the upgrade request followed at once, in the same write, by `frames`. */
  static async open(port: number, frames: string[], protocol = "meshwork.v1"): Promise<TcpWebSocket> {
    const socket = connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new TcpWebSocket(socket);
    const request =
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`;
    socket.write(Buffer.concat([Buffer.from(request), ...frames.map(clientTextFrame)]));
    return client;
  }

  /** Resolves once `count` messages have arrived. */
  async waitForMessages(count: number, timeoutMs = 5_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.messages.length} of ${count} messages arrived`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.listeners.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages.slice(0, count);
  }

  /** Drops the TCP connection. */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.upgraded) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end === -1) return;
      if (!this.buffer.subarray(0, end).toString().startsWith("HTTP/1.1 101")) throw new Error("upgrade refused");
      this.upgraded = true;
      this.buffer = this.buffer.subarray(end + 4);
    }
    // Server frames are unmasked; these tests only see short text frames.
    while (this.buffer.length >= 2) {
      let length = (this.buffer[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      }
      if (this.buffer.length < offset + length) return;
      this.messages.push(this.buffer.subarray(offset, offset + length).toString());
      this.buffer = this.buffer.subarray(offset + length);
    }
    for (const listener of this.listeners) listener();
    this.listeners.clear();
  }
}
