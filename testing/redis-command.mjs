// One Redis command over a fresh loopback connection, for the harnesses that watch redis-server processes they
// started (which role a cluster node has, whether it is ready): no client library, so scripts outside the
// packages import it without a dependency, and no connection is left open between two polls.
import { createConnection } from "node:net";

/**
 * Parses one RESP2 reply at `offset` of `buffer`: `{ value, next }`, or undefined when the reply is not complete
 * yet. An error reply becomes an `Error` value (not thrown), so a caller polling a node can report it.
 */
function parseReply(buffer, offset) {
  const lineEnd = buffer.indexOf("\r\n", offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset]);
  const line = buffer.toString("utf8", offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case "+":
      return { value: line, next: afterLine };
    case "-":
      return { value: new Error(line), next: afterLine };
    case ":":
      return { value: Number(line), next: afterLine };
    case "$": {
      const length = Number(line);
      if (length < 0) return { value: null, next: afterLine };
      if (buffer.length < afterLine + length + 2) return undefined;
      return { value: buffer.toString("utf8", afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items = [];
      let next = afterLine;
      for (let index = 0; index < count; index++) {
        const item = parseReply(buffer, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}

/** The RESP encoding of a command: an array of bulk strings, so arguments may hold spaces or any byte. */
function encodeCommand(args) {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(String(arg))}\r\n${arg}\r\n`);
  return parts.join("");
}

/**
 * Sends one command to the redis-server on 127.0.0.1:`port` and resolves to its reply (strings, numbers, arrays,
 * null; an error reply as an `Error` value). Rejects when the connection fails or no full reply comes within
 * `timeoutMs`.
 */
export function redisCommand(port, args, timeoutMs = 2_000) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let received = Buffer.alloc(0);
    const fail = (error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no reply to ${args[0]} from port ${port} in ${timeoutMs} ms`)));
    socket.on("error", fail);
    socket.on("connect", () => socket.write(encodeCommand(args)));
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      let reply;
      try {
        reply = parseReply(received, 0);
      } catch (error) {
        fail(error);
        return;
      }
      if (!reply) return;
      socket.destroy();
      resolve(reply.value);
    });
  });
}

/** `redisCommand` for commands that answer text (INFO, CLUSTER INFO, CLUSTER NODES): an error reply rejects. */
export async function redisText(port, args, timeoutMs) {
  const reply = await redisCommand(port, args, timeoutMs);
  if (reply instanceof Error) throw reply;
  return String(reply);
}
