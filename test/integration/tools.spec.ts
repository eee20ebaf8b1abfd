import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ToolsOptions, type ToolsPlan } from '../../src/checks/tools/schema.js';
import { tools } from '../../src/checks/tools/index.js';
import { runCheck } from '../../src/core/run-check.js';
import type { Mode, Result } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import { tools as fix } from '../../src/remediations/tools/index.js';
import { testContext } from '../helpers/context.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree, listTree } from '../helpers/tree.js';
import { addTag, commit, headOf, makeRepo, nodeOf, sh } from '../helpers/vcs.js';

const host = new LocalHost();
const T = sandbox('runner-tools-');

async function run(mode: Mode, checkouts: unknown[], extra: object = {}): Promise<Result> {
  const options = ToolsOptions.parse({ checkouts, ...extra });
  return runCheck(host, { check: tools, remediation: fix, options }, testContext(mode));
}

function planOf(r: Result): ToolsPlan['checkouts'] {
  return ('plan' in r ? (r.plan as ToolsPlan) : { checkouts: [] }).checkouts;
}

/** The whole checkout, .hg/.git included: every name, type, size, mode, mtime and file content. */
function stateHash(path: string): string {
  const h = createHash('sha256');
  for (const rel of listTree(path)) {
    const st = lstatSync(join(path, rel));
    h.update(
      `${rel} ${st.mode} ${st.size} ${st.mtimeMs} ${st.isFile() ? readFileSync(join(path, rel), 'latin1') : ''}\n`,
    );
  }
  return h.digest('hex');
}

/** The working files (not .hg/.git): names, sizes, modes and contents. */
function workingHash(path: string, vcs: 'hg' | 'git'): string {
  const h = createHash('sha256');
  for (const rel of listTree(path).filter((r) => r !== `.${vcs}` && !r.startsWith(`.${vcs}/`))) {
    const st = lstatSync(join(path, rel));
    h.update(`${rel} ${st.mode} ${st.size} ${st.isFile() ? readFileSync(join(path, rel), 'utf8') : ''}\n`);
  }
  return h.digest('hex');
}

/** A plain clone made by the test (not by runner). */
function cloneAs(vcs: 'hg' | 'git', src: string, dest: string): void {
  sh('/', vcs === 'hg' ? `hg clone -q "${src}" "${dest}"` : `git clone -q "${src}" "${dest}"`);
}

describe.each(['hg', 'git'] as const)('tools with real %s repos', (vcs) => {
  const base = join(T, vcs);
  const template = join(base, 'template');
  beforeAll(() => {
    mkdirSync(base);
    makeRepo(template, vcs, { 'v1.0.0': 1, '1.4.2': 2, 'v2.0.0-rc.1': 2, 'release-2': 2, 'not.semver': 1 });
  });
  /** A source repo of its own (a copy of the template: no hg start-ups). */
  function source(name: string): string {
    const dir = join(base, name);
    cpSync(template, dir, { recursive: true, preserveTimestamps: true });
    return dir;
  }

  it('clones a missing checkout; check changes nothing; a second apply changes nothing', async () => {
    const src = source('src-clone');
    const path = join(base, 'co-clone', 'tools');
    mkdirSync(join(base, 'co-clone'));
    const co = { path, vcs, repo: src };
    const before = hashTree(join(base, 'co-clone'));

    const checked = await run('check', [co]);
    expect(checked.status).toBe('drift');
    expect(planOf(checked)).toMatchObject([
      { path, action: 'clone', reasons: ['missing'], to: { rev: headOf(src, vcs) } },
    ]);
    expect(hashTree(join(base, 'co-clone'))).toBe(before);

    expect((await run('apply', [co])).status).toBe('changed');
    expect(headOf(path, vcs)).toBe(headOf(src, vcs));
    expect(readFileSync(join(path, 'VERSION'), 'utf8')).toBe('v2\n');
    expect(listTree(join(base, 'co-clone'), 1)).toEqual(['tools']);
    expect((await run('apply', [co])).status).toBe('ok');
  });

  it('pulls and updates a checkout that is behind and dirty, listing what it discards; check mode changes nothing', async () => {
    const src = source('src-dirty');
    const path = join(base, 'co-dirty');
    cloneAs(vcs, src, path);
    const old = headOf(path, vcs);
    const wanted = commit(src, vcs, 'v3');
    writeFileSync(join(path, 'VERSION'), 'edited\n');
    mkdirSync(join(path, 'junk'));
    writeFileSync(join(path, 'junk', 'new.txt'), 'x');
    const co = { path, vcs, repo: src };
    // a fresh hg checkout is where hg status would record in .hg/dirstate that its files are clean: check mode may not
    const before = stateHash(path);

    const checked = await run('check', [co]);
    expect(checked.status).toBe('drift');
    expect(planOf(checked)).toMatchObject([{ action: 'update', pull: true, from: old, to: { rev: wanted }, dirty: 2 }]);
    expect(planOf(checked)[0]?.clean.sort()).toEqual(['? junk/new.txt', 'M VERSION']);
    expect(checked.summary).toContain(`update from ${old.slice(0, 12)} to branch`);
    expect(stateHash(path)).toBe(before);

    expect((await run('apply', [co])).status).toBe('changed');
    expect(readFileSync(join(path, 'VERSION'), 'utf8')).toBe('v3\n');
    expect(existsSync(join(path, 'junk'))).toBe(false);
    expect((await run('apply', [co])).status).toBe('ok');
  });

  it('reclones a checkout whose remote is not the configured one', async () => {
    const right = source('src-right');
    const wrong = source('src-wrong');
    const path = join(base, 'co-remote');
    cloneAs(vcs, wrong, path);
    const co = { path, vcs, repo: right };

    const checked = await run('check', [co]);
    expect(planOf(checked)).toMatchObject([{ action: 'reclone', reasons: [`remote is ${wrong}, not ${right}`] }]);
    expect((await run('apply', [co])).status).toBe('changed');
    expect(headOf(path, vcs)).toBe(headOf(right, vcs));
    expect(listTree(base, 1).filter((n) => n.startsWith('.co-remote') || n.startsWith('co-remote.'))).toEqual([]);
    expect((await run('check', [co])).status).toBe('ok');
  });

  it('fails with the vcs message when the remote is gone, and leaves the checkout alone', async () => {
    const src = source('src-gone');
    const path = join(base, 'co-gone');
    cloneAs(vcs, src, path);
    renameSync(src, `${src}-moved`);
    const before = workingHash(path, vcs);

    const r = await run('apply', [{ path, vcs, repo: src }]);
    expect(r.status).toBe('failed');
    expect(r.summary).toMatch(
      vcs === 'hg' ? /abort: repository .* not found/ : /does not appear to be a git repository/,
    );
    expect(workingHash(path, vcs)).toBe(before);
    expect(headOf(path, vcs)).toBe(headOf(`${src}-moved`, vcs));
  });

  it('replaces a dir that is not a repository and removes what a killed run left behind', async () => {
    const src = source('src-leftover');
    const path = join(base, 'co-leftover');
    mkdirSync(path);
    writeFileSync(join(path, 'stray'), 'x');
    const halfClone = join(base, '.co-leftover.runner-clone-0badf00d');
    mkdirSync(join(halfClone, `.${vcs}`), { recursive: true });
    mkdirSync(`${path}.deleteme`);
    const co = { path, vcs, repo: src };

    const checked = await run('check', [co]);
    expect(planOf(checked)).toMatchObject([{ action: 'clone', leftovers: [halfClone, `${path}.deleteme`] }]);
    expect((await run('apply', [co])).status).toBe('changed');
    expect(existsSync(halfClone) || existsSync(`${path}.deleteme`) || existsSync(join(path, 'stray'))).toBe(false);
    expect(headOf(path, vcs)).toBe(headOf(src, vcs));
  });

  it('pins a revision given as a short hash; an unknown one fails with the vcs message', async () => {
    const src = source('src-rev');
    const path = join(base, 'co-rev');
    cloneAs(vcs, src, path);
    const first = nodeOf(src, vcs, 1);
    const co = { path, vcs, repo: src, revision: first.slice(0, 12) };

    expect((await run('apply', [co])).status).toBe('changed');
    expect(headOf(path, vcs)).toBe(first);
    expect((await run('check', [co])).status).toBe('ok');

    // hg finds it unknown at the remote; git only when the fetch does not bring it
    const before = workingHash(path, vcs);
    const unknown = await run('apply', [{ ...co, revision: 'deadbeefdead' }]);
    expect(unknown.status).toBe('failed');
    expect(unknown.summary).toMatch(
      vcs === 'hg'
        ? /abort: unknown revision 'deadbeefdead'/
        : /unknown revision 'deadbeefdead': not in .* after fetching/,
    );
    expect(workingHash(path, vcs)).toBe(before);
    expect(headOf(path, vcs)).toBe(first);
  });

  it('follows the highest tag in a semver range; prereleases only when asked; no match fails', async () => {
    const src = source('src-tags');
    const path = join(base, 'co-tags');
    cloneAs(vcs, src, path);
    const [one, two] = [nodeOf(src, vcs, 1), nodeOf(src, vcs, 2)];
    const co = { path, vcs, repo: src };

    const ranged = await run('apply', [{ ...co, tag: '~1.0' }]);
    expect(ranged.status).toBe('changed');
    expect(headOf(path, vcs)).toBe(one);
    // 1.4.2 has no leading v and still counts; release-2 and not.semver are ignored
    const highest = await run('check', [{ ...co, tag: '^1' }]);
    expect(planOf(highest)).toMatchObject([{ to: { tag: '1.4.2', rev: two } }]);
    const pre = await run('check', [{ ...co, tag: '>=2.0.0-rc.0' }]);
    expect(planOf(pre)).toMatchObject([{ to: { tag: 'v2.0.0-rc.1', rev: two } }]);
    const none = await run('check', [{ ...co, tag: '^2' }]);
    expect(none.status).toBe('failed');
    expect(none.summary).toContain('no tag matches ^2 (3 semver tags, highest v2.0.0-rc.1)');

    // a tag added at the remote after the clone is seen without pulling (hg: from the incoming .hgtags)
    addTag(src, vcs, 'v1.0.2', 2);
    const moved = await run('check', [{ ...co, tag: '~1.0' }]);
    expect(planOf(moved)).toMatchObject([{ action: 'update', to: { tag: 'v1.0.2', rev: two } }]);
  });

  // hg only: git keeps no transaction journal
  if (vcs === 'hg')
    it('pulls into a checkout whose last pull was killed (an abandoned transaction)', async () => {
      const src = source('src-journal');
      const path = join(base, 'co-journal');
      cloneAs(vcs, src, path);
      const wanted = commit(src, vcs, 'v3');
      // what a pull killed mid-way leaves: its journal, which makes hg refuse every later pull
      writeFileSync(join(path, '.hg', 'store', 'journal'), '');
      const co = { path, vcs, repo: src };
      expect((await run('apply', [co])).status).toBe('changed');
      expect(headOf(path, vcs)).toBe(wanted);
      expect(existsSync(join(path, '.hg', 'store', 'journal'))).toBe(false);
      expect((await run('apply', [co])).status).toBe('ok');
    });

  it('fails on a symlink instead of following it', async () => {
    const src = source('src-link');
    const path = join(base, 'co-link');
    symlinkSync(src, path);
    const r = await run('check', [{ path, vcs, repo: src }]);
    expect(r.status).toBe('failed');
    expect(r.summary).toContain('is a symlink');
  });
});
