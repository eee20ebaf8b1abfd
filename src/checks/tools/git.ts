import { gitTags, parseLsRemote } from './parse.js';
import type { AskRemote } from './remote.js';
import type { Checkout } from './schema.js';
import { resolveRange, sameRemote } from './target.js';
import type { Vcs } from './vcs.js';

/** Git, read-only: the remote is asked with `git ls-remote`; a shared store is a bare repo used with `clone --reference`. */
export const git: Vcs = {
  async target(ask, _run, co, facts) {
    if (co.tag !== undefined) {
      const tags = gitTags(await lsRemote(ask, co, ['--tags']));
      return { spec: `tag ${co.tag}`, ...resolved(resolveRange(tags, co.tag)) };
    }
    if (co.revision !== undefined) {
      const spec = `revision ${co.revision}`;
      const rev = co.revision.toLowerCase();
      const here = facts?.state === 'repository' && sameRemote(facts.remote, co.repo) ? facts.node : '';
      // a commit cannot be looked up at a git remote: an unknown one fails when apply fetches it
      return { spec, rev: here !== '' && here.startsWith(rev) ? here : rev };
    }
    if (co.branch !== undefined) {
      const sha = (await lsRemote(ask, co, [], [`refs/heads/${co.branch}`])).get(`refs/heads/${co.branch}`);
      if (!sha) throw new Error(`${co.repo} has no branch ${co.branch}`);
      return { spec: `branch ${co.branch}`, rev: sha, branch: co.branch };
    }
    return remoteHead(ask, co);
  },
};

function resolved(r: { tag: string; node: string }) {
  return { rev: r.node, tag: r.tag };
}

async function lsRemote(
  ask: AskRemote,
  co: Checkout,
  flags: readonly string[],
  refs: readonly string[] = [],
): Promise<Map<string, string>> {
  return parseLsRemote(await ask(['ls-remote', ...flags, '--', co.repo, ...refs], `looking up ${co.repo}`));
}

/** No branch configured: the branch the remote's HEAD points at. */
async function remoteHead(ask: AskRemote, co: Checkout) {
  const out = await ask(['ls-remote', '--symref', '--', co.repo, 'HEAD'], `looking up ${co.repo}`);
  const branch = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out)?.[1];
  const sha = parseLsRemote(out).get('HEAD');
  if (!sha) throw new Error(`${co.repo} has no HEAD (an empty repository?)`);
  return { spec: `branch ${branch ?? 'HEAD'}`, rev: sha, ...(branch ? { branch } : {}) };
}
