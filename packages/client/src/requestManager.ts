import { type ErrorMessage, MeshError, type ResponseMessage, encodeClientMessage } from "@meshwork/protocol";

/** Writes an encoded frame to the socket; throws when it cannot. */
export type FrameWriter = (frame: string) => void;

/** Builds the error a request fails with, given the command's name. */
export type RequestErrorFactory = (command: string) => MeshError;

interface PendingRequest {
  readonly id: number;
  readonly command: string;
  readonly frame: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: MeshError) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  queued: boolean;
  /** Whether a `SHUTTING_DOWN` answer puts it back in the queue rather than rejecting it. */
  readonly resendOnShutdown: boolean;
}

/** Longest delay `setTimeout` honours; larger values would fire at once. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * Tracks the client's requests from call to answer: assigns ids, holds requests waiting for a connection in a
 * bounded FIFO queue, times them out, matches `response` / `error` messages to callers and fails what is left
 * when the connection goes away. It never touches the socket itself: callers pass a {@link FrameWriter}.
 */
export class RequestManager {
  readonly #pending = new Map<number, PendingRequest>();
  // Insertion-ordered, so flushing preserves call order.
  readonly #queue = new Set<PendingRequest>();
  readonly #maxQueued: number;
  #nextId = 1;

  /** @param maxQueued requests that may wait for a connection at once. */
  constructor(maxQueued: number) {
    this.#maxQueued = maxQueued;
  }

  /** Requests waiting for a connection. */
  get queuedCount(): number {
    return this.#queue.size;
  }

  /** Requests sent and not yet answered. */
  get inFlightCount(): number {
    return this.#pending.size - this.#queue.size;
  }

  /**
   * Starts a request. With `write` it is sent at once; without, it waits in the queue for {@link flush}, or
   * rejects with `QUEUE_FULL` when the queue is full. The timeout (`Infinity` for none) runs from this call.
   * @param resendOnShutdown a `SHUTTING_DOWN` answer queues it again instead of rejecting it; off for requests
   *   bound to one connection (restorers), which must fail with that connection.
   */
  start(
    command: string,
    payload: unknown,
    timeout: number,
    write?: FrameWriter,
    resendOnShutdown = true,
  ): Promise<unknown> {
    const id = this.#nextId++;
    let frame: string;
    try {
      frame = encodeClientMessage({ type: "request", id, command, payload });
    } catch (cause) {
      return Promise.reject(
        new MeshError("INVALID_PAYLOAD", `The payload of "${command}" cannot be encoded as JSON`, { cause }),
      );
    }
    if (write === undefined && this.#queue.size >= this.#maxQueued) {
      return Promise.reject(
        new MeshError("QUEUE_FULL", `"${command}" not sent: ${this.#maxQueued} commands already wait to be sent`),
      );
    }
    return new Promise<unknown>((resolve, reject) => {
      const request: PendingRequest = {
        id,
        command,
        frame,
        resolve,
        reject,
        timer: undefined,
        queued: false,
        resendOnShutdown,
      };
      this.#pending.set(id, request);
      if (Number.isFinite(timeout)) {
        const onTimeout = () =>
          this.#fail(request, new MeshError("TIMEOUT", `"${command}" got no response within ${timeout} ms`));
        request.timer = setTimeout(onTimeout, Math.min(Math.max(timeout, 0), MAX_TIMER_DELAY));
      }
      if (write === undefined) {
        request.queued = true;
        this.#queue.add(request);
      } else {
        this.#send(request, write);
      }
    });
  }

  /** Sends every queued request, oldest first. */
  flush(write: FrameWriter): void {
    for (const request of [...this.#queue]) {
      this.#queue.delete(request);
      request.queued = false;
      this.#send(request, write);
    }
  }

  /**
   * Settles the request a `response` or `error` message answers; a `SHUTTING_DOWN` error puts the request back
   * in the queue instead. Returns `false` when no request with that id is pending, e.g. a late answer to a
   * request that already timed out; such answers are ignored.
   */
  settle(message: ResponseMessage | (ErrorMessage & { readonly id: number })): boolean {
    const request = this.#pending.get(message.id);
    if (request === undefined || request.queued) return false;
    if (message.type === "error" && message.error.code === "SHUTTING_DOWN" && request.resendOnShutdown) {
      // The server did not run it and is about to close with 1001: send it again once reconnected (elsewhere),
      // still within its timeout. Not counted against the queue's bound: it was admitted once already.
      request.queued = true;
      this.#queue.add(request);
      return true;
    }
    this.#forget(request);
    if (message.type === "response") request.resolve(message.result);
    else request.reject(MeshError.fromWire(message.error));
    return true;
  }

  /** Fails every request that was sent and not answered, e.g. because its socket closed. */
  failInFlight(makeError: RequestErrorFactory): void {
    for (const request of [...this.#pending.values()]) {
      if (!request.queued) this.#fail(request, makeError(request.command));
    }
  }

  /** Fails every queued request, e.g. because the client gave up connecting. */
  failQueued(makeError: RequestErrorFactory): void {
    for (const request of [...this.#queue]) this.#fail(request, makeError(request.command));
  }

  #send(request: PendingRequest, write: FrameWriter): void {
    try {
      write(request.frame);
    } catch (error) {
      const reason =
        error instanceof MeshError
          ? error
          : new MeshError("CONNECTION_CLOSED", `"${request.command}" could not be sent`, { cause: error });
      this.#fail(request, reason);
    }
  }

  #fail(request: PendingRequest, error: MeshError): void {
    if (this.#pending.get(request.id) !== request) return;
    this.#forget(request);
    request.reject(error);
  }

  #forget(request: PendingRequest): void {
    if (request.timer !== undefined) clearTimeout(request.timer);
    this.#pending.delete(request.id);
    this.#queue.delete(request);
  }
}
