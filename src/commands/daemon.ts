import { configPath } from '../config/load.js';
import { runDaemon } from '../lifecycle/daemon.js';
import type { Io } from '../core/io.js';

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
  return runDaemon(
    { ...opts, ...(flags.iterations === undefined ? {} : { iterations: flags.iterations }), once: flags.once ?? false },
    io,
  );
}
