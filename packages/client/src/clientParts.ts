import { MeshError } from "@meshwork/protocol";
import { ChannelManager } from "./channels/channelManager";
import { ClientLifecycle } from "./clientLifecycle";
import { dispatchCommand, followConnection } from "./commandDispatch";
import { type ApplicationMessage, Connection } from "./connection";
import { Emitter } from "./emitter";
import { type MeshClientOptions, type ResolvedClientOptions, resolveClientOptions } from "./options";
import { ClientPresence } from "./presence/clientPresence";
import { RecordManager } from "./records/recordManager";
import { RequestManager } from "./requestManager";
import { ClientRooms } from "./rooms/clientRooms";
import { ClientSession, attachSession } from "./session";
import type { SubscriptionManagerHooks } from "./subscriptions/subscriptionManager";
import type { CommandOptions } from "./types";
import type { UrlRotation } from "./urlRotation";

/** Push payloads by event name, as the client's push emitter carries them. */
export type PushArgs = Record<string, [payload: unknown]>;

/** Sends a command; `direct` skips the reconnect queue (restorers use it on the new connection). */
export type RequestFunction = (
  command: string,
  payload: unknown,
  options: CommandOptions | number | undefined,
  direct: boolean,
) => Promise<unknown>;

/** The parts a {@link MeshClient} hands its work to, each built before anything uses it. */
export interface ClientParts {
  readonly options: ResolvedClientOptions;
  readonly lifecycle: ClientLifecycle;
  readonly pushes: Emitter<PushArgs>;
  readonly connection: Connection;
  readonly request: RequestFunction;
  readonly channels: ChannelManager;
  readonly records: RecordManager;
  readonly rooms: ClientRooms;
  /** Presence, and the rooms it follows. */
  readonly presence: ClientPresence;
}

/**
 * Builds a client's parts and wires them: frames are routed to the part that owns them, the session restores
 * channels, records, and rooms with presence after a reconnect, and going offline clears every subscription.
 */
export function createClientParts(client: object, urls: UrlRotation, clientOptions: MeshClientOptions): ClientParts {
  const options = resolveClientOptions(clientOptions);
  const lifecycle = new ClientLifecycle();
  const pushes = new Emitter<PushArgs>((error, event) => lifecycle.reportListenerError(error, event));
  const requests = new RequestManager(options.maxQueuedCommands);
  const request: RequestFunction = (command, payload, callOptions, direct) =>
    dispatchCommand(connection, requests, options.defaultTimeout, command, payload, callOptions, direct);
  const session = new ClientSession(
    (command, payload, callOptions) => request(command, payload, callOptions, true),
    (error) => lifecycle.reportError(error),
  );
  attachSession(client, session);
  const connection: Connection = new Connection(urls, options, {
    message: (message) => route(message),
    ping: () => lifecycle.events.emit("ping"),
    invalidFrame: (failure) =>
      lifecycle.reportError(
        new MeshError("BAD_MESSAGE", failure.message, { details: { reason: failure.reason, issues: failure.issues } }),
      ),
    restore: () => session.restore(),
  });
  const hooks: SubscriptionManagerHooks = {
    request: (command, payload) => request(command, payload, undefined, false),
    isOffline: () => connection.state === "idle",
    reportError: (error) => lifecycle.reportError(error),
  };
  const channels = new ChannelManager(hooks);
  const records = new RecordManager(hooks);
  const rooms = new ClientRooms(hooks);
  const presence = new ClientPresence(rooms, hooks);
  for (const part of [channels, records, presence]) session.registerRestorer(part.restore.bind(part));

  connection.onTransition((transition) => {
    followConnection(requests, transition, (frame) => connection.send(frame));
    // Nothing is restored from offline: a later connect() starts without subscriptions or rooms.
    if (transition.to === "idle") for (const part of [channels, records, presence]) part.clear();
    lifecycle.announce(transition, connection.hello?.connectionId, connection.context);
  });

  function route(message: ApplicationMessage): void {
    switch (message.type) {
      case "response":
        requests.settle(message);
        return;
      case "error":
        // Without an id it answers no request: the server is telling the client it sent a frame it could not read.
        if (message.id === undefined) lifecycle.reportError(MeshError.fromWire(message.error));
        else requests.settle({ ...message, id: message.id });
        return;
      case "push":
        pushes.emit(message.command, message.payload);
        return;
      case "channel-message":
        channels.receive(message);
        return;
      case "record-update":
        records.receive(message);
        return;
      case "presence":
        presence.subscriptions.receive(message);
        return;
      case "latency":
        lifecycle.reportLatency(message.ms);
        return;
    }
  }

  return { options, lifecycle, pushes, connection, request, channels, records, rooms, presence };
}
