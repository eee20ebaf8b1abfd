import { RunnerError } from '../core/errors.js';
import type { ReadHost } from '../core/types.js';
import { formatDuration } from '../core/units.js';
import { TIMED_OUT, isolatedArgv, timeoutArgv } from './commands.js';

/**
 * Runs `argv` in a pid namespace of its own under a deadline: at the deadline it is stopped with everything
 * it started (puppet's execs included), and that is an error naming the command. Resolves exit code and output.
 */
export async function runIsolated(
  host: ReadHost,
  argv: readonly string[],
  timeoutMs: number,
): Promise<{ exitCode: number | undefined; output: string }> {
  const [file, ...args] = timeoutArgv(timeoutMs, isolatedArgv(argv));
  const r = await host.run(file as string, args, { timeoutMs: timeoutMs + 60_000 });
  if (r.timedOut || TIMED_OUT.includes(r.exitCode ?? -1)) {
    throw new RunnerError(
      `'${argv.slice(0, 2).join(' ')}' took longer than ${formatDuration(timeoutMs)}: stopped with everything it started`,
    );
  }
  return { exitCode: r.exitCode, output: `${r.stdout}\n${r.stderr}` };
}
