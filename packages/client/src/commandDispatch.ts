import { MeshError } from "@meshwork/protocol";
import type { Connection } from "./connection";
import { type ConnectionEvent, type ConnectionState, isEstablished } from "./connectionMachine";
import type { Transition } from "./fsm";
import type { RequestManager } from "./requestManager";
import type { CommandOptions } from "./types";

/**
 * Sends a command the client's way: at once when online, queued while (re)connecting, refused while offline.
 * `direct` requests (restorers) go out while the client is still restoring, ahead of the queue, and fail with
 * `CONNECTION_CLOSED` when there is no connection; `options` is `{ timeout }` or a bare timeout in milliseconds.
 */
export function dispatchCommand(
  connection: Connection,
  requests: RequestManager,
  defaultTimeout: number,
  command: string,
  payload: unknown,
  options: CommandOptions | number | undefined,
  direct: boolean,
): Promise<unknown> {
  const timeout = typeof options === "number" ? options : (options?.timeout ?? defaultTimeout);
  if (typeof timeout !== "number" || !(timeout >= 0)) {
    return Promise.reject(new RangeError(`Command timeout must be a non-negative number, got ${String(timeout)}`));
  }
  const state = connection.state;
  // Restorers send while the client is still restoring; everyone else waits until it is online.
  if (state === "online" || (direct && isEstablished(state))) {
    // A restorer's request belongs to this connection: answered SHUTTING_DOWN, it fails with it instead.
    return requests.start(command, payload, timeout, (frame) => connection.send(frame), !direct);
  }
  if (direct) {
    return Promise.reject(new MeshError("CONNECTION_CLOSED", `"${command}" not sent: the connection is gone`));
  }
  if (state === "idle") {
    return Promise.reject(new MeshError("NOT_CONNECTED", `"${command}" not sent: the client is offline`));
  }
  return requests.start(command, payload, timeout);
}

/**
 * Settles commands as the connection changes state: those in flight reject with `CONNECTION_CLOSED` when it
 * drops, queued ones with `NOT_CONNECTED` when the client goes offline, and the queue is sent once online.
 */
export function followConnection(
  requests: RequestManager,
  { from, to }: Transition<ConnectionState, ConnectionEvent>,
  send: (frame: string) => void,
): void {
  if (isEstablished(from) && !isEstablished(to)) {
    requests.failInFlight(
      (command) =>
        new MeshError("CONNECTION_CLOSED", `The connection closed before "${command}" was answered; it may have run`),
    );
  }
  if (to === "idle") {
    requests.failQueued((command) => new MeshError("NOT_CONNECTED", `"${command}" not sent: the client went offline`));
  }
  if (to === "online") requests.flush(send);
}
