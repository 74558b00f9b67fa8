import type { IncomingMessage, Server as HttpServer } from "node:http";
import { MeshServer } from "@meshwork/server";
import type { MeshState } from "@meshwork/redis-state";
import {
  DEFAULT_ROOM,
  type DemoConnectionMetadata,
  type InstanceName,
  ROOM_NAME_PATTERN,
  type RoomRecord,
  roomRecordId,
  toDisplayName,
} from "../src/demoShared";
import { registerDemoCommands } from "./app/demoCommands";

export type { InstanceName } from "../src/demoShared";

/** Options of {@link createDemoServer}. */
export interface DemoServerOptions {
  /** The letter this instance shows to the tabs it serves. */
  instance: InstanceName;
  /** The HTTP server serving the web app; the WebSocket shares its port. */
  server: HttpServer;
  /** A Redis URL, when the instances share a Redis. */
  redis?: string;
  /** The embedded in-memory state, when no Redis answers (both instances share one). */
  state?: MeshState;
  /** Prefix of every key and channel in shared state, e.g. `"demo:"`; tests pass a unique one. */
  keyPrefix: string;
}

/** Room names as the body of a pattern, for the channel and record patterns built from them. */
const ROOM = ROOM_NAME_PATTERN.source.replace(/^\^|\$$/g, "");

/** What a room's record holds before anyone edited it. */
const WELCOME_RECORD: RoomRecord = {
  topic: "Welcome to meshwork: say hello from both instances",
  notes: [],
};

/**
 * A meshwork server configured for the demo: every capability the web app shows, the same on every instance, so
 * two instances on one Redis behave as one chat.
 *
 * - Connection metadata `{ name, instance }`, set at upgrade time from the `name` query parameter (a tab without a
 *   usable name is refused with HTTP 401), readable by every member so presence can show names.
 * - Rooms matching {@link ROOM_NAME_PATTERN}: clients join them and their presence is tracked, one member per name.
 * - Channel `chat:<room>` with history, written only through the `chat/send` command.
 * - Writable record `room:<room>` (topic and pinned notes), written by clients with an expected version.
 * - Command `demo/roll`, answered by whichever instance serves the tab.
 */
export function createDemoServer(options: DemoServerOptions): MeshServer {
  const { instance } = options;
  const mesh = new MeshServer({
    server: options.server,
    redis: options.redis,
    state: options.state,
    keyPrefix: options.keyPrefix,
    // A latency figure in the header that moves is part of the show; the default of 5 s feels frozen.
    latencyInterval: 2_000,
    authenticateConnection: (request) => metadataFor(request, instance),
  });

  mesh.exposeConnectionMetadata(() => true);
  mesh.exposeRoom(ROOM_NAME_PATTERN);
  // Grouping by name makes one person's tabs one member; a short ttl lets a crashed instance's members go soon.
  mesh.trackPresence(ROOM_NAME_PATTERN, { groupBy: "name", ttl: 6_000 });
  mesh.exposeChannel(new RegExp(`^chat:${ROOM}$`));
  mesh.exposeWritableRecord(new RegExp(`^room:${ROOM}$`));
  registerDemoCommands(mesh, instance);

  void mesh
    .ready()
    .then(() => mesh.publishRecordUpdate(roomRecordId(DEFAULT_ROOM), WELCOME_RECORD, { expectedVersion: 0 }))
    .catch(() => {
      // A conflict means the other instance (or an earlier run) created it first, which is what we want; any
      // other failure leaves the record to be created by the first edit.
    });
  return mesh;
}

/** The metadata of a connecting tab, or `null` (HTTP 401) when it did not say who it is. */
function metadataFor(request: IncomingMessage, instance: InstanceName): DemoConnectionMetadata | null {
  const name = toDisplayName(new URL(request.url ?? "/", "http://localhost").searchParams.get("name") ?? "");
  return name === undefined ? null : { name, instance };
}
