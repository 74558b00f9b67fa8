/** Options of `server.enableGracefulShutdown()`. */
export interface GracefulShutdownOptions {
  /** Signals that start the shutdown. @default ["SIGTERM", "SIGINT"] */
  signals?: readonly NodeJS.Signals[];
  /**
   * Milliseconds `close()` may take in all before the process exits anyway, with code 1.
   * @default shutdownTimeout + 3 × closeTimeout + 1000: what `close()` itself is bounded by, plus a margin
   */
  timeout?: number;
  /** Ends the process with an exit code; injectable so the wiring can be tested in-process. @default process.exit */
  exit?: (code: number) => void;
}

/** What {@link wireShutdownSignals} needs from the server. */
export interface ShutdownTarget {
  close(): Promise<void>;
  reportError(error: unknown): void;
  /** The default of {@link GracefulShutdownOptions.timeout}. */
  readonly closeBound: number;
}

const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

/**
 * Wires the signals to one shutdown: the first signal unwires them all (so a second one gets Node's default,
 * which ends the process at once), runs `close()` and exits with 0, or with 1 when `close()` fails or outlasts
 * the timeout. Returns a function that unwires the signals while no shutdown has started.
 */
export function wireShutdownSignals(target: ShutdownTarget, options: GracefulShutdownOptions = {}): () => void {
  const signals = options.signals ?? DEFAULT_SIGNALS;
  const timeout = options.timeout ?? target.closeBound;
  if (!Number.isFinite(timeout) || timeout < 0) {
    throw new TypeError(`meshwork: the graceful shutdown timeout must be a non-negative number, got ${timeout}`);
  }
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const unwire = (): void => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  function onSignal(): void {
    unwire();
    // Not unref'd: this timer is what ends a process whose close() hangs.
    const timer = setTimeout(() => {
      target.reportError(new Error(`meshwork: close() did not finish within ${timeout} ms; exiting anyway`));
      exit(1);
    }, timeout);
    target.close().then(
      () => {
        clearTimeout(timer);
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(timer);
        target.reportError(error);
        exit(1);
      },
    );
  }
  for (const signal of signals) process.on(signal, onSignal);
  return unwire;
}
