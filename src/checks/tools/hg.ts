import type { Facts } from './facts.js';
import { addIncomingTags, parseHgTags } from './parse.js';
import type { Checkout, Target } from './schema.js';
import { resolveRange, sameRemote } from './target.js';
import type { Vcs, VcsRun } from './vcs.js';

/** Mercurial: the remote is asked with `hg identify -r REV REPO`; tags come from `.hgtags` (local plus incoming). */
export const hg: Vcs = {
  async target(run, co, facts) {
    if (co.tag !== undefined) return tagTarget(run, co, facts);
    if (co.revision !== undefined) {
      const spec = `revision ${co.revision}`;
      if (facts?.state === 'repository' && facts.node.startsWith(co.revision.toLowerCase())) return { spec, rev: facts.node };
      return { spec, rev: await identify(run, co, co.revision) };
    }
    const branch = co.branch ?? 'default';
    return { spec: `branch ${branch}`, rev: await identify(run, co, branch) };
  },

  async clone(run, co, dest, share) {
    const pool = share === undefined ? [] : ['--config', 'extensions.share=', '--config', `share.pool=${share}`];
    await run([...pool, 'clone', '-q', '-U', '--', co.repo, dest], { doing: `cloning ${co.repo}` });
  },

  async pull(run, co, cwd) {
    // a pull killed mid-way leaves an abandoned transaction that stops every later pull; exit 1: there was none
    await run(['recover'], { doing: `rolling back an interrupted transaction in ${cwd}`, cwd, ok: [0, 1] });
    await run(['pull', '-q', '--', co.repo], { doing: `pulling ${co.repo} into ${cwd}`, cwd });
  },

  async update(run, cwd, target, clean) {
    await run(['update', '-q', '-C', '-r', target.rev as string], { doing: `updating ${cwd} to ${target.rev}`, cwd });
    if (clean) await run(['purge', '-q', '--no-confirm'], { doing: `removing untracked files in ${cwd}`, cwd });
  },

  async localTags(run, cwd) {
    return parseHgTags(await run(['tags', '-T', '{tag} {node}\\n'], { doing: `listing the tags of ${cwd}`, cwd }));
  },
};

async function identify(run: VcsRun, co: Checkout, rev: string): Promise<string> {
  const out = await run(['identify', '-r', rev, '-T', '{node}', '--', co.repo], { doing: `looking up ${rev} at ${co.repo}` });
  return out.trim();
}

/** hg has no remote tag listing: a usable checkout's tags plus the `.hgtags` lines its incoming changesets add. */
async function tagTarget(run: VcsRun, co: Checkout, facts: Facts | undefined): Promise<Target> {
  const spec = `tag ${co.tag}`;
  if (facts?.state !== 'repository' || !sameRemote(facts.remote, co.repo)) return { spec };
  const cwd = co.path;
  const [local, incoming] = await Promise.all([
    hg.localTags(run, cwd),
    run(['incoming', '-q', '-T', '{diff("path:.hgtags")}', '--', co.repo], { doing: `looking for new tags at ${co.repo}`, cwd, ok: [0, 1] }),
  ]);
  const { tag, node } = resolveRange(addIncomingTags(local, incoming), co.tag as string);
  return { spec, rev: node, tag };
}
