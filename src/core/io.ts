/** What a command may touch of the process: tests pass their own. */
export interface Io {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** aborted on SIGINT/SIGTERM */
  signal: AbortSignal;
  /** a command that handles a second SIGINT/SIGTERM itself registers here; otherwise the second one exits 130 */
  onSecondSignal?(handler: () => void): void;
  /** told of every SIGINT/SIGTERM as it arrives (its name, and how many have come so far), before anything acts on it */
  onSignal?(listener: (name: NodeJS.Signals, count: number) => void): void;
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function wantsColour(io: Io): boolean {
  return Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
}
