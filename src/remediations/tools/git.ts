import { join } from 'node:path/posix';
import { QUIET, storeName } from '../../checks/tools/commands.js';
import type { Checkout } from '../../checks/tools/schema.js';
import type { VcsRun } from '../../host/vcs-run.js';
import type { VcsFix } from './vcs.js';

/** Git's mutating verbs for the tools fix; a shared store is a bare repo used with `clone --reference`. */
export const gitFix: VcsFix = {
  async clone(run, co, dest, share) {
    const reference = share === undefined ? [] : ['--reference', await updateStore(run, co, share)];
    await run([...QUIET, 'clone', '-q', '-n', ...reference, '--', co.repo, dest], { doing: `cloning ${co.repo}` });
  },

  async pull(run, co, cwd) {
    await run([...QUIET, 'fetch', '-q', '-f', '--tags', 'origin'], { doing: `fetching ${co.repo} into ${cwd}`, cwd });
  },

  async update(run, cwd, target, clean) {
    const given = target.rev as string;
    // resolve first: checkout would read an unknown revision as a path and say something obscure
    const verify = await run(['rev-parse', '--verify', '-q', `${given}^{commit}`], {
      doing: `looking up ${given} in ${cwd}`,
      cwd,
      ok: [0, 1],
    });
    const rev = verify.trim();
    if (!rev) throw new Error(`unknown revision '${given}': not in ${cwd} after fetching from its remote`);
    const how = target.branch ? ['-B', target.branch, rev] : ['--detach', rev];
    await run([...QUIET, 'checkout', '-q', '-f', ...how], { doing: `checking out ${rev} in ${cwd}`, cwd });
    if (clean) await run([...QUIET, 'clean', '-q', '-ffd'], { doing: `removing untracked files in ${cwd}`, cwd });
  },
};

/** A bare store per repo under `share`, fetched before each clone; never garbage-collected, since checkouts borrow its objects. */
async function updateStore(run: VcsRun, co: Checkout, share: string): Promise<string> {
  const store = join(share, storeName(co.repo));
  const doing = `preparing the shared store ${store}`;
  // init is idempotent and repairs a store a killed run left half-made
  await run(['init', '-q', '--bare', '--', store], { doing });
  await run(['--git-dir', store, 'config', 'gc.auto', '0'], { doing });
  await run(
    [
      ...QUIET,
      '--git-dir',
      store,
      'fetch',
      '-q',
      '-f',
      '--',
      co.repo,
      '+refs/heads/*:refs/heads/*',
      '+refs/tags/*:refs/tags/*',
    ],
    {
      doing: `fetching ${co.repo} into the shared store ${store}`,
    },
  );
  return store;
}
