import { CommandError } from '../core/errors.js';
import type { ReadHost } from '../core/types.js';
import { formatDuration } from '../core/units.js';

/** Environment of every vcs command: stable output, English messages, never a prompt. */
export const VCS_ENV = { HGPLAIN: '1', LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };

/** Runs one command of a checkout's vcs as its user; resolves stdout, throws with the vcs's own message. */
export type VcsRun = (
  args: readonly string[],
  opts: { doing: string; cwd?: string; ok?: readonly number[] },
) => Promise<string>;

export function vcsRunner(host: ReadHost, co: { vcs: 'hg' | 'git'; user?: string }, timeoutMs: number): VcsRun {
  return async (args, { doing, cwd = '/', ok = [0] }) => {
    const file = co.vcs;
    const r = await host.run(file, args, { cwd, env: VCS_ENV, timeoutMs, ...(co.user ? { user: co.user } : {}) });
    if (r.timedOut) throw new VcsTimeout([file, ...args], timeoutMs, doing);
    if (r.exitCode === undefined || !ok.includes(r.exitCode))
      throw new CommandError([file, ...args], r.exitCode, vcsMessage(r.stderr || r.stdout), doing);
    return r.stdout;
  };
}

/** A vcs command killed at its timeout. */
export class VcsTimeout extends CommandError {
  override name = 'VcsTimeout';
  constructor(argv: readonly string[], timeoutMs: number, doing: string) {
    super(argv, undefined, `timed out after ${formatDuration(timeoutMs)}`, doing);
  }
}

/**
 * Whether a VcsRun failure is the vcs's own answer, the same on any host asking the same remote: it ran
 * and failed (any exit but 126/127, which say it could not run there) or timed out. Anything else (the
 * host lost, the command killed or not started) is that host's failure.
 */
export function vcsAnswered(err: unknown): err is CommandError {
  if (err instanceof VcsTimeout) return true;
  return err instanceof CommandError && err.exitCode !== undefined && err.exitCode !== 126 && err.exitCode !== 127;
}

/** The lines of a vcs's stderr that say what went wrong (git's `fatal:` comes first, then advice). */
export function vcsMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const said = lines.filter((l) => /^(abort|fatal|error|remote: error)\b/i.test(l));
  return (said.length ? said : lines.slice(-3)).join(' / ');
}
