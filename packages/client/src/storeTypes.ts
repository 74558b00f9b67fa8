import type { MeshError } from "@meshwork/protocol";
import type { Unsubscribe } from "./emitter";
import type { RecoveryInfo } from "./types";

/**
 * Where a store's network subscription stands: `idle` (nobody holds it, or it was unsubscribed or the client
 * closed), `subscribing` (the request is out, or the subscription is being restored after a reconnect),
 * `active`, `resyncing` (a record asked for its current value again after a gap), or `error` (the server refused
 * it, or it could not be restored; see `error`).
 */
export type StoreStatus = "idle" | "subscribing" | "active" | "resyncing" | "error";

/**
 * The observable surface of a client store, shaped for React's `useSyncExternalStore`: `subscribe` is a stable
 * function, and `getSnapshot` returns the same object until something it shows changes.
 */
export interface ExternalStore<TSnapshot> {
  /**
   * Observes the store: `onChange` is called after each change of the snapshot. An observer holds the network
   * subscription like a listener does: the first holder starts it, the last one to leave stops it. Returns the
   * function that stops observing.
   */
  readonly subscribe: (onChange: () => void) => Unsubscribe;
  /** The current snapshot; a new object only when what it shows changed. */
  readonly getSnapshot: () => TSnapshot;
}

/** What a channel store shows. Messages themselves go to listeners added with `client.subscribe`. */
export interface ChannelStoreSnapshot {
  readonly status: StoreStatus;
  /** The outcome of the last restoration after a reconnect, as `onRecover` gets it; `undefined` before one. */
  readonly recovery: RecoveryInfo | undefined;
  /** Why the subscription ended in `error`. */
  readonly error: MeshError | undefined;
}

/** A channel's shared subscription, as `client.channelStore(channel)` gives it. */
export interface ChannelStore extends ExternalStore<ChannelStoreSnapshot> {
  readonly channel: string;
}

/** What a record store shows: the current value, kept up to date by applying each update (patches included). */
export interface RecordStoreSnapshot<TRecord = any> {
  /** The value at `version`; `null` while the record does not exist or before the first answer. */
  readonly data: TRecord | null;
  /** The version of `data`; 0 when the record does not exist. */
  readonly version: number;
  readonly status: StoreStatus;
  /** Why the subscription ended in `error`. */
  readonly error: MeshError | undefined;
}

/** A record's shared subscription, as `client.recordStore(recordId)` gives it. */
export interface RecordStore<TRecord = any> extends ExternalStore<RecordStoreSnapshot<TRecord>> {
  readonly recordId: string;
}
