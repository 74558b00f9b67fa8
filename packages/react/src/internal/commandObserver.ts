import type { MeshError } from "@meshwork/client";
import { toError } from "./toError";

/** What a command hook shows: the last call's result or error, and whether a call is in flight. */
export interface CommandState<TResult> {
  readonly data: TResult | undefined;
  readonly error: MeshError | undefined;
  readonly loading: boolean;
}

const IDLE: CommandState<never> = Object.freeze({ data: undefined, error: undefined, loading: false });

/**
 * The state of one component's calls to one command, as an external store. Each call gets a number; only the
 * newest call may change the state, so an older call answering late never overwrites a newer one. Listeners are
 * the mounted component only: once it unmounts, answers change this object and notify nobody.
 */
export class CommandObserver<TPayload, TResult> {
  #state: CommandState<TResult> = IDLE;
  #latest = 0;
  readonly #listeners = new Set<() => void>();

  constructor(readonly run: (payload: TPayload) => Promise<TResult>) {}

  /** Observes the state (for `useSyncExternalStore`); returns the function that stops observing. */
  readonly subscribe = (onChange: () => void): (() => void) => {
    this.#listeners.add(onChange);
    return () => this.#listeners.delete(onChange);
  };

  readonly getSnapshot = (): CommandState<TResult> => this.#state;

  /** Runs the command and returns its promise, which rejects as the command does; the state follows it. */
  readonly call = (payload: TPayload): Promise<TResult> => {
    const call = ++this.#latest;
    this.#set({ data: this.#state.data, error: undefined, loading: true });
    const answer = this.run(payload);
    answer.then(
      (data) => {
        if (call === this.#latest) this.#set({ data, error: undefined, loading: false });
      },
      (thrown: unknown) => {
        if (call === this.#latest) this.#set({ data: undefined, error: toError(thrown), loading: false });
      },
    );
    return answer;
  };

  /** Forgets the last result or error; calls still in flight no longer change the state. */
  readonly reset = (): void => {
    this.#latest++;
    this.#set(IDLE);
  };

  #set(state: CommandState<TResult>): void {
    if (state.data === this.#state.data && state.error === this.#state.error && state.loading === this.#state.loading) {
      return;
    }
    this.#state = state;
    for (const listener of [...this.#listeners]) listener();
  }
}

/** The state shown while rendering on the server, and before the first call. */
export function idleCommandState(): CommandState<never> {
  return IDLE;
}
