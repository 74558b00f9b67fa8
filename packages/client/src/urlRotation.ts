import { CLOSE_CODES, MeshError } from "@meshwork/protocol";
import type { ConnectionEvent, ConnectionState } from "./connectionMachine";
import type { Transition } from "./fsm";

/** One server URL, or several serving the same application, tried in turn. */
export type MeshUrls = string | readonly string[];

/**
 * The URLs a client connects to, in the order given, and which one is current. The client moves to the next one
 * (after the last, back to the first) when an attempt fails or the server says it is going away (1001).
 */
export class UrlRotation {
  readonly #urls: readonly string[];
  #index = 0;

  /** @throws TypeError for an empty list or a URL that is not a non-empty string. */
  constructor(urls: MeshUrls) {
    const list = typeof urls === "string" ? [urls] : [...urls];
    if (list.length === 0) throw new TypeError("MeshClient needs at least one URL");
    for (const url of list) {
      if (typeof url !== "string" || url === "") {
        throw new TypeError(`MeshClient URLs must be non-empty strings, got ${String(url)}`);
      }
    }
    this.#urls = Object.freeze(list);
  }

  /** Every URL, in the order given. */
  get all(): readonly string[] {
    return this.#urls;
  }

  /** The URL the current or next attempt uses. */
  get current(): string {
    return this.#urls[this.#index] as string;
  }

  /** Moves to the next URL, wrapping around after the last; returns it. */
  next(): string {
    this.#index = (this.#index + 1) % this.#urls.length;
    return this.current;
  }
}

/**
 * Whether the client moves to the next URL after this transition: an attempt that failed (no socket, no hello
 * in time, refused upgrade), or an established connection the server closed with 1001, since that instance is
 * going away. Any other drop of an established connection (a network blip, a ping timeout) retries the same URL
 * first; that attempt failing moves on.
 */
export function movesToNextUrl({ from, event }: Transition<ConnectionState, ConnectionEvent>): boolean {
  if (event.type !== "SOCKET_CLOSED") return false;
  if (from === "connecting" || from === "reconnecting") return true;
  return event.code === CLOSE_CODES.GOING_AWAY.code;
}

/** One failed attempt to connect: the URL tried and how its socket closed. */
export interface FailedAttempt {
  readonly url: string;
  readonly code: number;
  readonly reason: string;
}

/**
 * The `NOT_CONNECTED` error a `connect()` rejects with once its attempts failed (the last one last). `details`
 * holds the last attempt's `code` and `reason`, and with several attempts every one of them as `attempts`.
 */
export function connectFailure(failures: readonly FailedAttempt[]): MeshError {
  const described = failures.map(({ url, code, reason }) => `${url}: ${reason} (code ${code})`);
  const last = failures.at(-1);
  const details = { code: last?.code, reason: last?.reason };
  if (failures.length <= 1) return new MeshError("NOT_CONNECTED", `Could not connect to ${described[0]}`, { details });
  return new MeshError(
    "NOT_CONNECTED",
    `Could not connect to any of ${failures.length} URLs: ${described.join("; ")}`,
    {
      details: { ...details, attempts: failures },
    },
  );
}
