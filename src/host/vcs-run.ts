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
    if (r.timedOut)
      throw new CommandError([file, ...args], undefined, `timed out after ${formatDuration(timeoutMs)}`, doing);
    if (r.exitCode === undefined || !ok.includes(r.exitCode))
      throw new CommandError([file, ...args], r.exitCode, vcsMessage(r.stderr || r.stdout), doing);
    return r.stdout;
  };
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
