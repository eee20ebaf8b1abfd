import { configPath } from '../config/load.js';
import { runDaemon } from '../lifecycle/daemon.js';
import type { Io } from '../core/io.js';
import { RunnerError } from '../core/errors.js';
import { printable } from '../core/text.js';
import { logLine } from '../lifecycle/log-line.js';

export interface DaemonFlags {
  config?: string;
  iterations?: number;
  once?: boolean;
}

/** `runner daemon`: the first SIGTERM/SIGINT drains the worker (io.signal), a second one stops its session at once. */
export async function daemon(flags: DaemonFlags, io: Io): Promise<number> {
  const hard = new AbortController();
  io.onSecondSignal?.(() => hard.abort(new Error('second signal')));
  const opts = { config: configPath(flags.config, io.env), hard: hard.signal };
  try {
    return await runDaemon(
      {
        ...opts,
        ...(flags.iterations === undefined ? {} : { iterations: flags.iterations }),
        once: flags.once ?? false,
      },
      io,
    );
  } catch (err) {
    if (!(err instanceof RunnerError)) throw err;
    // a config error (exit 1, nothing ran), stamped like every other line of the daemon's log
    io.stderr.write(
      err.message
        .split('\n')
        .map((l) => logLine(io, `runner: ${printable(l)}`))
        .join(''),
    );
    return 1;
  }
}
