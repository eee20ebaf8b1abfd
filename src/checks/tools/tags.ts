import type { VcsRun } from '../../host/vcs-run.js';
import { gitTags, parseHgTags, parseLsRemote } from './parse.js';
import type { Checkout } from './schema.js';

/** How each vcs lists a local repository's tags (tag → node): the check's hg tag lookup and the fix after a clone. */
export const TAG_LISTING: Record<
  Checkout['vcs'],
  { args: readonly string[]; ok: readonly number[]; parse(out: string): Map<string, string> }
> = {
  hg: { args: ['tags', '-T', '{tag} {node}\\n'], ok: [0], parse: parseHgTags },
  // exit 1: no tags at all
  git: { args: ['show-ref', '-d', '--tags'], ok: [0, 1], parse: (out) => gitTags(parseLsRemote(out)) },
};

/** The tags of the repository at `cwd`. */
export async function listTags(run: VcsRun, vcs: Checkout['vcs'], cwd: string): Promise<Map<string, string>> {
  const how = TAG_LISTING[vcs];
  return how.parse(await run(how.args, { doing: `listing the tags of ${cwd}`, cwd, ok: how.ok }));
}
