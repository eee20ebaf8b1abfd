import { spawn, type ChildProcess } from 'node:child_process';
import { ensureUser } from '../../test/helpers/users.js';

/** The build user whose processes the processes check watches; a test user, so nothing real is touched. */
export const JOB_USER = 'rtest-benchjob';

/** The command line of the one process a fresh worker runs (recorded in the baseline). */
export const BASELINE_ARGS = ['sleep', '86400'];

/** Command lines of what the last job left behind: not in the baseline, so every host reports them. */
const STRAYS = [
  ['sleep', '86401'],
  ['sleep', '86402'],
];

/** The baseline process and the strays, started as JOB_USER with setpriv (which execs, so each pid is the sleep itself); `stop` kills exactly those pids. */
export function startJobs(): { uid: number; startedAt: number; stop: () => void } {
  const { uid, gid } = ensureUser(JOB_USER);
  const procs: ChildProcess[] = [BASELINE_ARGS, ...STRAYS].map((argv) =>
    spawn('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', ...argv], { stdio: 'ignore' }),
  );
  const stop = () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  };
  return { uid, startedAt: Date.now(), stop };
}
