import type { VcsFix } from './vcs.js';

/** Mercurial's mutating verbs for the tools fix. */
export const hgFix: VcsFix = {
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
};
