import type { Facts } from './facts.js';
import type { VcsRun } from '../../host/vcs-run.js';
import { addIncomingTags } from './parse.js';
import type { AskRemote } from './remote.js';
import type { Checkout, Target } from './schema.js';
import { resolveRange, sameRemote } from './target.js';
import { listTags } from './tags.js';
import type { Vcs } from './vcs.js';

/** Mercurial, read-only: the remote is asked with `hg identify -r REV REPO`; tags come from `.hgtags` (local plus incoming). */
export const hg: Vcs = {
  async target(ask, run, co, facts) {
    if (co.tag !== undefined) return tagTarget(run, co, facts);
    if (co.revision !== undefined) {
      const spec = `revision ${co.revision}`;
      if (facts?.state === 'repository' && facts.node.startsWith(co.revision.toLowerCase()))
        return { spec, rev: facts.node };
      return { spec, rev: await identify(ask, co, co.revision) };
    }
    const branch = co.branch ?? 'default';
    return { spec: `branch ${branch}`, rev: await identify(ask, co, branch) };
  },
};

async function identify(ask: AskRemote, co: Checkout, rev: string): Promise<string> {
  const out = await ask(['identify', '-r', rev, '-T', '{node}', '--', co.repo], `looking up ${rev} at ${co.repo}`);
  return out.trim();
}

/**
 * hg has no remote tag listing: a usable checkout's tags plus the `.hgtags` lines its incoming changesets
 * add. Both depend on the local checkout, so this stays per host.
 */
async function tagTarget(run: VcsRun, co: Checkout, facts: Facts | undefined): Promise<Target> {
  const spec = `tag ${co.tag}`;
  if (facts?.state !== 'repository' || !sameRemote(facts.remote, co.repo)) return { spec };
  const cwd = co.path;
  const [local, incoming] = await Promise.all([
    listTags(run, 'hg', cwd),
    run(['incoming', '-q', '-T', '{diff("path:.hgtags")}', '--', co.repo], {
      doing: `looking for new tags at ${co.repo}`,
      cwd,
      ok: [0, 1],
    }),
  ]);
  const { tag, node } = resolveRange(addIncomingTags(local, incoming), co.tag as string);
  return { spec, rev: node, tag };
}
