import { blockUnder, replaceOnce } from "./readme";

/**
 * The root README's Quickstart, server and client, as one program. The only changes are those a test needs to
 * stay apart from everything else on the machine: a free port (0, read back before the client connects) and its own
 * key prefix; after the README's code, the program closes both ends and deletes its keys.
 */
export function quickstartProgram(readmeFile: string, keyPrefix: string): string {
  const server = replaceOnce(
    blockUnder(readmeFile, "Server").code,
    "port: 8080,",
    `port: 0,\n  keyPrefix: ${JSON.stringify(keyPrefix)},`,
  );
  const client = replaceOnce(
    blockUnder(readmeFile, "Client").code,
    '"ws://localhost:8080"',
    "`ws://localhost:$" + "{server.port}`",
  );
  return [
    'import { Redis } from "ioredis"; // the test\'s own cleanup below',
    server,
    "await server.ready();",
    client,
    "await client.close();",
    "await server.close();",
    `const redis = new Redis("redis://127.0.0.1:6379");`,
    `const pattern = ${JSON.stringify(`${keyPrefix.replace(/[*?[\]\\]/g, "\\$&")}*`)};`,
    'let cursor = "0";',
    "do {",
    '  const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);',
    "  cursor = next;",
    "  if (keys.length > 0) await redis.unlink(...keys);",
    '} while (cursor !== "0");',
    "redis.disconnect();",
    "",
  ].join("\n");
}
