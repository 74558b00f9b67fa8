import { MeshError, isMeshError, isReservedName, toMeshError } from "@meshwork/protocol";
import type { Connection } from "../connections/connection";
import type { CommandMeter, MetricsRecorder } from "../metrics/metricsRecorder";
import { assertCommandName } from "../names";
import type { MeshLogger } from "../options";
import type {
  CommandHandler,
  CommandOptions,
  MeshContext,
  MeshServerApi,
  Middleware,
  PayloadSchema,
  SchemaCommandOptions,
} from "../serverApi";
import type { BuiltinCommand } from "../serverFeature";
import type { CommandGate } from "../shutdown/commandGate";
import { createContext } from "./context";
import { payloadValidator } from "./payloadValidator";
import { sendError, sendResult } from "./responses";

/** A registered command with its middleware pipeline. @internal */
export interface CommandEntry {
  readonly name: string;
  readonly handler: CommandHandler;
  /** Schema validation (if any) followed by the command's own middleware. */
  readonly own: readonly Middleware[];
  /** Global middleware followed by `own`, rebuilt when the global list changes. */
  steps: readonly Middleware[];
  /** The global list `steps` was built from. */
  builtFrom: readonly Middleware[] | null;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function assertFunctions(what: string, values: readonly unknown[]): void {
  for (const value of values) {
    if (typeof value !== "function") throw new TypeError(`meshwork: every ${what} must be a function`);
  }
}

// Synchronous steps run in a plain loop; only a step that returns a promise makes the rest asynchronous,
// so commands without async middleware never pay for promise chaining.
function runPipeline(steps: readonly Middleware[], from: number, handler: CommandHandler, ctx: MeshContext): unknown {
  for (let index = from; index < steps.length; index++) {
    const outcome = (steps[index] as Middleware)(ctx);
    if (isPromiseLike(outcome)) return outcome.then(() => runPipeline(steps, index + 1, handler, ctx));
  }
  return handler(ctx);
}

/** Holds the registered commands and global middleware, and runs requests through them. */
export class CommandRouter {
  private readonly commands = new Map<string, CommandEntry>();
  // Replaced, never mutated: an entry's cached pipeline stays valid while this reference is unchanged.
  private globals: readonly Middleware[] = [];

  constructor(
    private readonly server: MeshServerApi,
    private readonly logger: MeshLogger,
    private readonly gate: CommandGate,
    private readonly metrics: MetricsRecorder,
  ) {}

  /**
   * Registers a command.
   * @throws TypeError for a reserved (`mesh/…`) or already registered name, or a handler that is not a function.
   */
  register(
    name: string,
    handler: CommandHandler,
    options: Middleware[] | CommandOptions | SchemaCommandOptions<PayloadSchema> = [],
  ): void {
    assertCommandName(name);
    this.add(name, handler, options);
  }

  /**
   * Registers one of meshwork's own `mesh/…` commands (a feature's). Built-ins run through the global middleware like any
   * command, so an application's authentication middleware guards them too.
   */
  registerBuiltin({ name, schema, handler }: BuiltinCommand): void {
    if (!isReservedName(name)) throw new TypeError(`meshwork: built-in command "${name}" must use the reserved prefix`);
    this.add(name, handler, { schema });
  }

  private add(
    name: string,
    handler: CommandHandler,
    options: Middleware[] | CommandOptions | SchemaCommandOptions<PayloadSchema>,
  ): void {
    if (this.commands.has(name)) throw new TypeError(`meshwork: command "${name}" is already registered`);
    if (typeof handler !== "function") throw new TypeError(`meshwork: the handler of "${name}" must be a function`);
    const { schema, middlewares = [] } = Array.isArray(options) ? { schema: undefined, middlewares: options } : options;
    assertFunctions(`middleware of "${name}"`, middlewares);
    const own = schema === undefined ? [...middlewares] : [payloadValidator(schema) as Middleware, ...middlewares];
    this.commands.set(name, { name, handler, own, steps: own, builtFrom: null });
  }

  /** Appends global middleware, run before every command's own, in the order added. */
  use(middlewares: readonly Middleware[]): void {
    assertFunctions("middleware", middlewares);
    this.globals = [...this.globals, ...middlewares];
  }

  /** The command registered under `name`, if any. */
  lookup(name: string): CommandEntry | undefined {
    return this.commands.get(name);
  }

  /**
   * Runs request `id` through global middleware, the command's pipeline and its handler, and answers it.
   * Never throws: every failure becomes an error response on the connection. Once the server is shutting down,
   * the command is not run and is answered with `SHUTTING_DOWN`, which tells the client it is safe to send it
   * again elsewhere; commands that return a promise are counted until answered, so shutdown can wait for them.
   */
  execute(connection: Connection, id: number, entry: CommandEntry, payload: unknown): void {
    const meter = this.metrics.command(entry.name);
    const startedAt = meter.start();
    if (!this.gate.open) {
      meter.failed("SHUTTING_DOWN", startedAt);
      sendError(
        connection,
        id,
        new MeshError("SHUTTING_DOWN", `"${entry.name}" was not run: the server is shutting down`),
      );
      return;
    }
    if (entry.builtFrom !== this.globals) {
      entry.steps = this.globals.length === 0 ? entry.own : [...this.globals, ...entry.own];
      entry.builtFrom = this.globals;
    }
    const ctx = createContext(entry.name, payload, connection, this.server);
    let outcome: unknown;
    try {
      outcome = runPipeline(entry.steps, 0, entry.handler, ctx);
    } catch (error) {
      this.fail(connection, id, entry.name, error, meter, startedAt);
      return;
    }
    if (isPromiseLike(outcome)) {
      const gate = this.gate;
      gate.started();
      // Counted off once the answer is written, in the same step as the answer: no extra promise per command.
      outcome.then(
        (result) => {
          try {
            meter.ok(startedAt);
            sendResult(connection, id, result);
          } finally {
            gate.finished();
          }
        },
        (error: unknown) => {
          try {
            this.fail(connection, id, entry.name, error, meter, startedAt);
          } finally {
            gate.finished();
          }
        },
      );
    } else {
      meter.ok(startedAt);
      sendResult(connection, id, outcome);
    }
  }

  private fail(
    connection: Connection,
    id: number,
    command: string,
    thrown: unknown,
    meter: CommandMeter,
    startedAt: number,
  ): void {
    const error = toMeshError(thrown);
    meter.failed(error.code, startedAt);
    // A thrown MeshError is a deliberate answer; anything else may be a bug, so the server log gets the stack.
    if (!isMeshError(thrown)) this.logger.debug(`meshwork: command "${command}" failed with ${error.code}`, thrown);
    sendError(connection, id, error);
  }
}
