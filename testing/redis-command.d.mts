/** A RESP2 reply: text, a number, an array of replies, null, or an error reply as an `Error` value. */
export type RedisReply = string | number | null | Error | RedisReply[];

/**
 * Sends one command to the redis-server on 127.0.0.1:`port` and resolves to its reply (an error reply as an `Error`
 * value). Rejects when the connection fails or no full reply comes within `timeoutMs`.
 */
export declare function redisCommand(port: number, args: string[], timeoutMs?: number): Promise<RedisReply>;

/** `redisCommand` for commands that answer text (INFO, CLUSTER INFO, CLUSTER NODES): an error reply rejects. */
export declare function redisText(port: number, args: string[], timeoutMs?: number): Promise<string>;
