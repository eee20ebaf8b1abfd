import { RunnerError, type CommandError } from '../../core/errors.js';
import type { Context, ReadHost } from '../../core/types.js';
import { vcsAnswered, type VcsRun } from '../../host/vcs-run.js';
import type { Checkout } from './schema.js';

/**
 * A `repo` with one of these schemes names the same repository from every host. Anything else may not: a
 * path or file:// URL (each host's own disk), scp-like `host:path`, an hg `[schemes]` alias, git's `ext::`.
 */
const SHARED = /^(https?|ssh|git|git\+ssh|ssh\+git):\/\//i;

export function sharedRemote(repo: string): boolean {
  return SHARED.test(repo);
}

/** One read-only question to the checkout's remote (`args` name `repo`); resolves the vcs's stdout. */
export type AskRemote = (args: readonly string[], doing: string) => Promise<string>;

type Answer = { out: string } | { err: CommandError; by: ReadHost };

/**
 * Asks on this host; when `repo` is a URL, once per run for every host that asks the same (`ctx.once`), the
 * vcs's failure included. A failure of the host that asked is not shared: the next host asks again.
 */
export function remoteAsker(run: VcsRun, host: ReadHost, co: Checkout, ctx: Context): AskRemote {
  if (!sharedRemote(co.repo)) return (args, doing) => run(args, { doing });
  return async (args, doing) => {
    const ask = (): Promise<Answer> =>
      run(args, { doing }).then(
        (out) => ({ out }),
        (err: unknown) => {
          if (vcsAnswered(err)) return { err, by: host };
          throw err;
        },
      );
    const answer = await ctx.once(JSON.stringify(['tools', co.vcs, ...args]), ask);
    if ('out' in answer) return answer.out;
    if (answer.by === host) throw answer.err;
    throw new RunnerError(`${answer.err.message} (asked once for every host of this run, on ${answer.by.name})`, {
      cause: answer.err,
    });
  };
}
