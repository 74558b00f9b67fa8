import fc from "fast-check";

/** One frame a fuzz socket sends: text (maybe not JSON, maybe not even UTF-8) or binary. */
export interface FuzzFrame {
  /** Which socket of the pool sends it. */
  readonly socket: number;
  readonly data: string | Uint8Array;
  readonly binary: boolean;
  /** How it was made, for the run's summary. */
  readonly kind: "real" | "mutated" | "text-mutated" | "invalid-utf8" | "binary" | "random" | "burst";
  /** Times it is sent back to back (a burst of one request, duplicate id and all, to meet the rate limit). */
  readonly repeat: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const BUILT_IN_COMMANDS = [
  "mesh/subscribe-channel",
  "mesh/unsubscribe-channel",
  "mesh/subscribe-record",
  "mesh/unsubscribe-record",
  "mesh/publish-record-update",
  "mesh/join-room",
  "mesh/leave-room",
  "mesh/get-connection-metadata",
  "mesh/get-room-metadata",
  "mesh/subscribe-presence",
  "mesh/unsubscribe-presence",
  "mesh/publish-presence-state",
  "mesh/clear-presence-state",
];

function nested(depth: number, asArray: boolean, leaf: Json): Json {
  let value: Json = leaf;
  for (let level = 0; level < depth; level++) value = asArray ? [value] : { n: value };
  return value;
}

/** Values meant to break assumptions: wrong types, edge numbers, unicode, huge strings, deep nesting. */
const nastyValue: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<Json>(null, true, false, 0, -1, -0, 1.5, 2 ** 53, -(2 ** 53), 1e308, "", "0"),
  },
  { weight: 3, arbitrary: fc.integer().map((n): Json => n) },
  // NaN and ±Infinity become null in JSON; tokens JSON cannot hold are spliced in as text (textMutated).
  { weight: 2, arbitrary: fc.double().map((n): Json => n) },
  { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 40 }).map((s): Json => s) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }).map((s): Json => s) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit: "binary", minLength: 1, maxLength: 3 }), fc.integer({ min: 300, max: 120_000 }))
      .map(([unit, length]): Json => unit.repeat(Math.ceil(length / unit.length))),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 20, max: 4_000 }), fc.boolean(), fc.jsonValue({ maxDepth: 1 }))
      .map(([depth, asArray, leaf]) => nested(depth, asArray, leaf as Json)),
  },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => v as Json) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Json>(
      JSON.parse('{"__proto__":{"polluted":true}}'),
      { constructor: { prototype: { polluted: true } } },
      { toString: "x", valueOf: 1, hasOwnProperty: null },
    ),
  },
);

/** A request id as a client might get it wrong: duplicates (small range), negative, fractional, huge, not a number. */
const idValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 20 }).map((n): Json => n) },
  { weight: 2, arbitrary: fc.constantFrom<Json>(-1, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER, "1", null, [], {}) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 52 - 1 }).map((n): Json => n) },
);

const commandName: fc.Arbitrary<Json> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom<Json>(...BUILT_IN_COMMANDS, "echo", "sum") },
  { weight: 1, arbitrary: fc.constantFrom<Json>("mesh/nope", "", "x".repeat(257), "MESH/JOIN-ROOM", "echo\u0000") },
  { weight: 1, arbitrary: nastyValue },
);

type Path = Array<string | number>;

/** Every path to a value inside `value`, the root excluded, down to a few levels. */
function pathsOf(value: Json, prefix: Path = [], depth = 0): Path[] {
  if (depth > 3 || value === null || typeof value !== "object") return [];
  const entries: Array<[string | number, Json]> = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key], depth + 1)]);
}

function parentOf(root: Json, path: Path): { parent: Record<string | number, Json>; key: string | number } | undefined {
  let node: Json = root;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, Json>)[key] as Json;
  }
  if (node === null || typeof node !== "object") return undefined;
  return { parent: node as Record<string | number, Json>, key: path[path.length - 1] as string | number };
}

/** One change to a parsed frame, applied in place. */
type Mutation = (frame: Record<string, Json>) => void;

/**
 * A copy of a generated value to put into a frame. Generated objects can be shared (`constantFrom` gives the same
 * instance every time): put into a frame as they are, a later mutation of the same frame could write one into itself
 * and make a cycle JSON cannot encode. The JSON round trip keeps an own `__proto__` key as an own key.
 */
const fresh = (value: Json): Json => JSON.parse(JSON.stringify(value)) as Json;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), nastyValue).map(
    ([pick, value]): Mutation =>
      (frame) => {
        const paths = pathsOf(frame);
        const target = parentOf(frame, paths[pick % paths.length] ?? ["type"]);
        if (target) target.parent[target.key] = fresh(value);
      },
  ),
  fc.nat().map(
    (pick): Mutation =>
      (frame) => {
        const paths = pathsOf(frame);
        const target = parentOf(frame, paths[pick % paths.length] ?? ["id"]);
        if (!target) return;
        if (Array.isArray(target.parent)) target.parent.splice(Number(target.key), 1);
        else delete target.parent[target.key];
      },
  ),
  fc.tuple(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("__proto__", "id", "type")), nastyValue).map(
    ([key, value]): Mutation =>
      (frame) => {
        const payload = frame.payload;
        const target = payload !== null && typeof payload === "object" && !Array.isArray(payload) ? payload : frame;
        Object.defineProperty(target, key, {
          value: fresh(value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      },
  ),
  idValue.map(
    (id): Mutation =>
      (frame) => {
        frame.id = fresh(id);
      },
  ),
  commandName.map(
    (command): Mutation =>
      (frame) => {
        frame.command = fresh(command);
      },
  ),
  nastyValue.map(
    (payload): Mutation =>
      (frame) => {
        frame.payload = fresh(payload);
      },
  ),
  fc.constantFrom<Json>("request", "pong", "latency-reply", "Request", "", 1, null).map(
    (type): Mutation =>
      (frame) => {
        frame.type = type;
      },
  ),
);

/** Text-level damage: truncation, splices, tokens JSON does not allow, two frames in one. */
function textMutated(text: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat(text.length).map((end) => text.slice(0, end)),
    fc
      .tuple(
        fc.nat(text.length),
        fc.nat(8),
        fc.oneof(fc.string({ unit: "binary", maxLength: 6 }), fc.constantFrom("{", "}", "]", '"', "\\", ",", ":")),
      )
      .map(([at, cut, insert]) => text.slice(0, at) + insert + text.slice(at + cut)),
    fc
      .constantFrom("NaN", "Infinity", "-Infinity", "1e999", "-0", "undefined", "0x10", "'x'")
      .map((token) => text.replace(/-?\d+(\.\d+)?/, token)),
    fc.constant(text + text),
    fc.constant(` \n${text}\t `),
  );
}

/** A fuzz frame made from the real client frames `seeds` (JSON texts), for a pool of `sockets` sockets. */
export function fuzzFrame(seeds: readonly string[], sockets: number): fc.Arbitrary<FuzzFrame> {
  const seed = fc.constantFrom(...seeds);
  const mutatedText = fc.tuple(seed, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([text, changes]) => {
    const frame = JSON.parse(text) as Record<string, Json>;
    for (const change of changes) change(frame);
    return JSON.stringify(frame);
  });
  const content = fc.oneof(
    { weight: 2, arbitrary: seed.map((data) => ({ data, binary: false, kind: "real" as const })) },
    { weight: 10, arbitrary: mutatedText.map((data) => ({ data, binary: false, kind: "mutated" as const })) },
    {
      weight: 4,
      arbitrary: fc
        .oneof(seed, mutatedText)
        .chain(textMutated)
        .map((data) => ({ data, binary: false, kind: "text-mutated" as const })),
    },
    {
      // Bytes that are not UTF-8, sent as a text frame: the WebSocket layer itself must refuse them.
      weight: 1,
      arbitrary: fc
        .tuple(seed, fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]))
        .map(([text, bad]) => ({
          data: Buffer.concat([Buffer.from(text), Buffer.from(bad)]),
          binary: false,
          kind: "invalid-utf8" as const,
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.uint8Array({ maxLength: 512 }),
          seed.map((text) => new Uint8Array(Buffer.from(text))),
        )
        .map((data) => ({ data, binary: true, kind: "binary" as const })),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.json({ maxDepth: 4 }), fc.string({ unit: "binary", maxLength: 200 }))
        .map((data) => ({ data, binary: false, kind: "random" as const })),
    },
  );
  const burst = fc
    .tuple(
      seed.filter((text) => text.includes('"request"')),
      fc.integer({ min: 50, max: 90 }),
    )
    .map(([data, repeat]) => ({ data, binary: false, kind: "burst" as const, repeat }));
  return fc
    .record({
      socket: fc.nat(sockets - 1),
      content: fc.oneof(
        { weight: 150, arbitrary: content.map((c) => ({ ...c, repeat: 1 })) },
        { weight: 1, arbitrary: burst },
      ),
    })
    .map(({ socket, content: c }) => ({ socket, ...c }));
}
