import { execFile } from "node:child_process";

/** How a finished command ended, with everything it printed, so a failing test can show it. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  /** The command is killed (SIGKILL) after this long, so a hung child cannot outlive the test. */
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs a command without a shell and resolves with how it ended; it never rejects for a non-zero exit. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: 32 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
        resolve({
          code: failure === null ? 0 : typeof failure.code === "number" ? failure.code : null,
          signal: failure?.signal ?? null,
          stdout,
          stderr: failure !== null && typeof failure.code !== "number" ? `${stderr}\n${failure.message}` : stderr,
        });
      },
    );
  });
}

/** Like {@link run}, but rejects with the command's output unless it exits with 0. */
export async function runOk(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const how = result.signal ? `was killed (${result.signal})` : `exited with ${result.code}`;
    throw new Error(`${command} ${args.join(" ")} ${how}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}
