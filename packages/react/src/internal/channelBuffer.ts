import { type ChannelCallback, MeshError } from "@meshwork/client";
import type { AnyMeshClient } from "../meshContext";
import { toError } from "./toError";

/** What a channel buffer shows: its messages, oldest first, and why its subscription failed, if it did. */
export interface ChannelBufferSnapshot<TMessage> {
  readonly messages: readonly TMessage[];
  readonly error: MeshError | undefined;
}

const EMPTY: ChannelBufferSnapshot<never> = Object.freeze({ messages: Object.freeze([]), error: undefined });

/** The snapshot shown while rendering on the server, and before the first message. */
export function emptyChannelBuffer(): ChannelBufferSnapshot<never> {
  return EMPTY;
}

/**
 * One component's window on a channel, as an external store: the history it asked for (oldest first), then the
 * live messages, the oldest dropped beyond `max`. It is a listener of the client's shared channel subscription,
 * which delivers each message once, in order, across reconnects. Releasing the listener waits a microtask, so
 * StrictMode's unmount and remount keep the subscription instead of ending and restarting it.
 */
export class ChannelBuffer<TMessage> {
  #snapshot: ChannelBufferSnapshot<TMessage> = EMPTY;
  readonly #listeners = new Set<() => void>();
  #listening: ChannelCallback<TMessage> | undefined;

  constructor(
    readonly client: AnyMeshClient,
    readonly channel: string,
    readonly historyLimit: number,
    readonly max: number,
  ) {}

  /** Observes the buffer (for `useSyncExternalStore`); the first observer starts listening to the channel. */
  readonly subscribe = (onChange: () => void): (() => void) => {
    this.#listeners.add(onChange);
    if (this.#listening === undefined) this.#start();
    return () => {
      this.#listeners.delete(onChange);
      queueMicrotask(() => {
        if (this.#listeners.size === 0) this.#stop();
      });
    };
  };

  readonly getSnapshot = (): ChannelBufferSnapshot<TMessage> => this.#snapshot;

  #start(): void {
    this.#set(EMPTY);
    const callback: ChannelCallback<TMessage> = (message) => {
      if (this.#listening === callback)
        this.#set({ ...this.#snapshot, messages: [...this.#snapshot.messages, message] });
    };
    this.#listening = callback;
    this.client.subscribe<TMessage>(this.channel, callback, { historyLimit: this.historyLimit }).then(
      (result) => {
        if (this.#listening !== callback) return;
        if (!result.success) {
          const why = result.reason ?? `The server refused channel "${this.channel}"`;
          this.#set({
            ...this.#snapshot,
            error: new MeshError("FORBIDDEN", why, { details: { channel: this.channel } }),
          });
          return;
        }
        // History comes newest first; live messages that arrived meanwhile are newer than all of it.
        const history = [...result.history].reverse();
        this.#set({ ...this.#snapshot, messages: [...history, ...this.#snapshot.messages] });
      },
      (thrown: unknown) => {
        if (this.#listening === callback) this.#set({ ...this.#snapshot, error: toError(thrown) });
      },
    );
  }

  #stop(): void {
    const callback = this.#listening;
    if (callback === undefined) return;
    this.#listening = undefined;
    this.client.unsubscribe(this.channel, callback).catch(() => {
      // Offline or already gone: there is no subscription left to end.
    });
  }

  #set(snapshot: ChannelBufferSnapshot<TMessage>): void {
    const overflow = snapshot.messages.length - this.max;
    const bounded = overflow > 0 ? { ...snapshot, messages: snapshot.messages.slice(overflow) } : snapshot;
    if (bounded.messages === this.#snapshot.messages && bounded.error === this.#snapshot.error) return;
    this.#snapshot = bounded;
    for (const listener of [...this.#listeners]) listener();
  }
}
