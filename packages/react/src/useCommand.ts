import type {
  CommandName,
  CommandPayload,
  CommandResult,
  MeshClient,
  MeshError,
  UntypedCommands,
} from "@meshwork/client";
import { useMemo, useSyncExternalStore } from "react";
import { CommandObserver, idleCommandState } from "./internal/commandObserver";
import type { AnyMeshClient } from "./meshContext";
import { useMesh } from "./useMesh";

/** The command map of a client type: `CommandsOf<MeshClient<MyCommands>>` is `MyCommands`. */
export type CommandsOf<TClient> =
  TClient extends MeshClient<infer TCommands, infer _TEvents> ? TCommands : UntypedCommands;

/** What {@link useCommand} returns. */
export interface UseCommandResult<TPayload, TResult> {
  /**
   * Runs the command and returns its result promise (it rejects as `client.command` does; the rejection also
   * shows in `error`). When calls overlap, the newest one's answer is the one `data` and `error` show.
   */
  readonly call: (payload: TPayload) => Promise<TResult>;
  /** The newest call's result; kept while a new call is in flight, cleared by an error or `reset`. */
  readonly data: TResult | undefined;
  /** The newest call's error (a MeshError with the server's `code`), cleared by the next call or `reset`. */
  readonly error: MeshError | undefined;
  /** Whether the newest call is still waiting for its answer. */
  readonly loading: boolean;
  /** Clears `data` and `error`; answers of calls still in flight are ignored. */
  readonly reset: () => void;
}

/**
 * Calls a server command and shows its state. Typed from a client's command map: pass the client type and the
 * name, `useCommand<typeof client, "echo">("echo")`; without them, names, payloads and results are untyped.
 * A component that unmounted is never updated by a late answer. On the server it renders the idle state.
 *
 * @example
 * const { call, data, error, loading } = useCommand<AppClient, "rename">("rename");
 * <button disabled={loading} onClick={() => call({ name: "Ada" })}>Rename</button>
 */
export function useCommand<
  TClient extends AnyMeshClient = AnyMeshClient,
  K extends CommandName<CommandsOf<TClient>> = CommandName<CommandsOf<TClient>>,
>(name: K): UseCommandResult<CommandPayload<CommandsOf<TClient>, K>, CommandResult<CommandsOf<TClient>, K>> {
  type Payload = CommandPayload<CommandsOf<TClient>, K>;
  type Result = CommandResult<CommandsOf<TClient>, K>;
  const client = useMesh<TClient>();
  const observer = useMemo(
    () =>
      new CommandObserver<Payload, Result>(
        (payload) => (client as AnyMeshClient).command(name, payload) as Promise<Result>,
      ),
    [client, name],
  );
  const state = useSyncExternalStore(observer.subscribe, observer.getSnapshot, idleCommandState);
  return useMemo(() => ({ call: observer.call, reset: observer.reset, ...state }), [observer, state]);
}
