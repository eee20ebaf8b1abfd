import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addIncomingTags,
  dirstateParent,
  gitTags,
  hgrcDefault,
  parseGitStatus,
  parseHgStatus,
  parseHgTags,
  parseLsRemote,
} from '../../src/checks/tools/parse.js';
import { leftoverProblem } from '../../src/checks/tools/commands.js';
import { parseFacts } from '../../src/checks/tools/facts.js';
import { decide, explainCheckout } from '../../src/checks/tools/plan.js';
import { Checkout, ToolsOptions } from '../../src/checks/tools/schema.js';
import { resolveRange, sameRemote } from '../../src/checks/tools/target.js';
import { parseConfig } from '../../src/config/load.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/tools/${name}`, import.meta.url), 'utf8');
const A = 'a'.repeat(40);
const hex = (s: string) => Buffer.from(s).toString('hex');
/** Output in the facts script's framing: `key HEX` lines. */
const records = (...kv: [string, string][]) => kv.map(([k, v]) => `${k} ${hex(v)}\n`).join('');
const B = 'b'.repeat(40);

describe('checks/tools parse', () => {
  it('reads the facts of a dirty hg checkout: remote from .hg/hgrc, parent from the dirstate, every change', () => {
    expect(parseFacts(fixture('facts-hg-dirty.bin'), 'hg')).toEqual({
      state: 'repository',
      leftovers: [],
      node: '9c0c8bbf18763d5b4755863e134d146e847f1bd2',
      remote: '/tmp/cap/hs',
      dirty: ['M keep', 'A added', 'R removed', '! gone', '? untracked file'],
    });
  });

  it('reads the facts of a dirty git checkout, a rename as its new path', () => {
    expect(parseFacts(fixture('facts-git-dirty.bin'), 'git')).toEqual({
      state: 'repository',
      leftovers: [],
      node: '84eefe333f86ceed41f7bd65a1a68b3fabdff173',
      remote: '/tmp/cap/gs',
      dirty: ['A added', '! gone', 'M keep', 'M moved', '? sub/dir/deep', '? untracked file'],
    });
  });

  it('reads a missing checkout with a leftover temp clone, and a dir that is not a repository', () => {
    expect(parseFacts(fixture('facts-missing-with-leftover.bin'), 'git')).toEqual({
      state: 'missing',
      leftovers: ['/tmp/cap/.gone.runner-clone-abcd1234'],
    });
    expect(parseFacts(fixture('facts-not-a-repository.bin'), 'hg')).toEqual({
      state: 'not-a-repository',
      leftovers: [],
    });
    expect(parseFacts(records(['state', 'foreign'], ['owner', 'cltbld'], ['me', 'root']), 'git')).toEqual({
      state: 'foreign',
      leftovers: [],
      owner: 'cltbld',
      me: 'root',
    });
    expect(parseFacts(records(['state', 'unsafe'], ['file', '.hg/hgrc'], ['kind', 'fifo']), 'hg')).toEqual({
      state: 'unsafe',
      leftovers: [],
      file: '.hg/hgrc',
      kind: 'fifo',
    });
  });

  it('reads framing bytes inside a value as data: an hgrc planting records and a status line is only an hgrc', () => {
    const planted = `[paths]\ndefault = /src\n\0leftover\0/etc\nleftover ${hex('/etc')}\nstatus\n? x\0`;
    const out = records(['state', 'repository'], ['hgrc', planted], ['dirstate', '']) + 'status\nM keep\0';
    expect(parseFacts(out, 'hg')).toEqual({
      state: 'repository',
      leftovers: [],
      node: '0'.repeat(40),
      remote: '/src',
      dirty: ['M keep'],
    });
    const git =
      records(
        ['leftover', '/w/.t.runner-clone-1\nleftover /etc'],
        ['state', 'repository'],
        ['origin', '/src\nstate x\n'],
      ) + 'status\n';
    expect(parseFacts(git, 'git')).toMatchObject({
      leftovers: ['/w/.t.runner-clone-1\nleftover /etc'],
      remote: '/src\nstate x',
    });
  });

  it("reads hg's native facts: clean from the dirstate and the listing alone, else it asks hg", () => {
    const entry = Buffer.alloc(17);
    entry.write('n');
    [0o100644, 3, 1796400000, 1].forEach((v, i) => entry.writeInt32BE(v, 1 + 4 * i));
    const dirstate = Buffer.concat([Buffer.from(A, 'hex'), Buffer.alloc(20), entry, Buffer.from('a')]);
    const head =
      records(['state', 'repository'], ['hgrc', '[paths]\ndefault = /src\n']) +
      `dirstate ${dirstate.toString('hex')}\n${records(['requires', 'store\n'])}files\n`;
    const a = 'f 3 1796400000.5 644 a\0';
    expect(parseFacts(`${head}${a}end 0\0`, 'hg')).toEqual({
      state: 'repository',
      leftovers: [],
      node: A,
      remote: '/src',
      dirty: [],
    });
    expect(parseFacts(`${head}${a}f 1 1796400000.5 644 new\0end 0\0`, 'hg')).toEqual({
      state: 'ask-hg',
      why: 'a file the dirstate does not track',
    });
    expect(() =>
      parseFacts(`${records(['state', 'repository'], ['hgrc', ''], ['dirstate', ''])}files\n`, 'hg'),
    ).toThrow('missing [requires]');
  });

  it("takes as leftovers only runner's own names directly beside the checkout", () => {
    for (const ok of ['/w/.tools.runner-clone-1a2b3c4d', '/w/tools.deleteme'])
      expect(leftoverProblem('/w/tools', ok)).toBeUndefined();
    for (const bad of [
      '/etc/passwd',
      '/w/.tools.runner-clone-',
      '/w/x/.tools.runner-clone-1',
      '/w/.tools.runner-clone-1/../../etc',
      '/w/tools',
      '/w/other.deleteme',
      '/w/tools.deleteme/',
    ]) {
      expect(leftoverProblem('/w/tools', bad)).toBe(
        `${JSON.stringify(bad)} is not a temp clone or .deleteme dir of /w/tools: not removed`,
      );
    }
  });

  it('fails on anything that does not fit the framing, without quoting it', () => {
    expect(() => parseFacts('garbage', 'hg')).toThrow('facts output: record 1 is not ended by a newline');
    expect(() => parseFacts('state 6d697373696e67\nleftover /etc\n', 'hg')).toThrow(
      'facts output: record 2 is not "key HEX"',
    );
    expect(() => parseFacts('state 6d697373696e6\n', 'hg')).toThrow('record 1 is not "key HEX"');
    expect(() => parseFacts(records(['state', 'missing'], ['state', 'missing']), 'hg')).toThrow('"state" given twice');
    expect(() => parseFacts(records(['state', 'missing'], ['hgrc', '']), 'hg')).toThrow(
      'state missing: unexpected [hgrc], missing []',
    );
    expect(() => parseFacts(records(['state', 'repository'], ['hgrc', '']), 'hg')).toThrow('missing [dirstate]');
    expect(() => parseFacts(records(['state', 'repository'], ['origin', '']), 'git')).toThrow('status listing missing');
    expect(() => parseFacts(records(['state', 'bogus']), 'git')).toThrow('no known state');
    expect(() =>
      parseFacts(records(['state', 'repository'], ['hgrc', 'x'.repeat(65537)], ['dirstate', '']) + 'status\n', 'hg'),
    ).toThrow('.hg/hgrc is larger than 64 KiB');
  });

  it('takes the dirstate parent from v1 and v2 layouts; no dirstate is the null revision', () => {
    expect(dirstateParent(`${A}${'0'.repeat(24)}`)).toBe(A);
    expect(dirstateParent(`${Buffer.from('dirstate-v2\n').toString('hex')}${A}`)).toBe(A);
    expect(dirstateParent('')).toBe('0'.repeat(40));
  });

  it('reads [paths] default of an hgrc, ignoring comments, other sections and default:pushurl', () => {
    expect(hgrcDefault(fixture('hg-hgrc.txt'))).toBe('/tmp/cap/hs');
    expect(hgrcDefault('[ui]\ndefault = nope\n[paths]\ndefault:pushurl = x\ndefault=https://hg.example/tools\n')).toBe(
      'https://hg.example/tools',
    );
    expect(hgrcDefault('[paths]\n# default = commented\n')).toBeUndefined();
  });

  it('reads hg and git status listings', () => {
    expect(parseHgStatus(fixture('hg-status.txt'))).toEqual([
      'M keep',
      'A added',
      'R removed',
      '! gone',
      '? untracked file',
    ]);
    expect(parseGitStatus(fixture('git-status.txt')).dirty).toContain('? untracked file');
    expect(parseGitStatus('# branch.oid (initial)\0# branch.head main\0')).toEqual({ node: '', dirty: [] });
  });

  it('reads ls-remote tags, preferring the commit an annotated tag points at', () => {
    const tags = gitTags(parseLsRemote(fixture('git-ls-remote-tags.txt')));
    expect(tags).toEqual(
      new Map([
        ['1.4.2', '8031d16485e027950ab94b837b3994aa2ec3d4b6'],
        ['v1.0.0', '8031d16485e027950ab94b837b3994aa2ec3d4b6'],
        ['v2.0.0-rc.1', '8031d16485e027950ab94b837b3994aa2ec3d4b6'],
      ]),
    );
    expect(parseLsRemote(fixture('git-ls-remote-head.txt')).get('HEAD')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('adds the tags incoming changesets write to .hgtags, and drops the ones they remove', () => {
    const local = parseHgTags(fixture('hg-tags.txt'));
    expect([...local.keys()].sort()).toEqual(['1.4.2', 'tip', 'v1.0.0']);
    const merged = addIncomingTags(local, fixture('hg-incoming-hgtags.txt'));
    expect([...merged.keys()].sort()).toEqual(['tip', 'v1.0.0', 'v1.5.0']);
    expect(merged.get('v1.5.0')).toBe('774817204a2475ea673f6298917e5ff42ba596b4');
  });
});

describe('checks/tools resolveRange', () => {
  const tags = new Map([
    ['v1.0.0', 'n100'],
    ['1.4.2', 'n142'],
    ['v1.4.2', 'v142'],
    ['v1.5.0-beta.1', 'n150b'],
    ['v2.0.0-rc.1', 'n200rc'],
    ['release-2', 'x'],
    ['tip', 'y'],
    ['not.semver', 'z'],
  ]);
  it.each([
    ['^1', 'v1.4.2', 'v142'],
    ['~1.0', 'v1.0.0', 'n100'],
    ['>=1.5.0-beta.0 <2', 'v1.5.0-beta.1', 'n150b'],
    ['>=2.0.0-rc.0', 'v2.0.0-rc.1', 'n200rc'],
    ['1.4.2', 'v1.4.2', 'v142'],
  ])('%s → %s', (range, tag, node) => {
    expect(resolveRange(tags, range)).toEqual({ tag, node });
  });
  it('fails when nothing matches, prereleases only when the range asks, naming the highest tag', () => {
    expect(() => resolveRange(tags, '^2')).toThrow('no tag matches ^2 (5 semver tags, highest v2.0.0-rc.1)');
    expect(() => resolveRange(new Map([['tip', 'y']]), '^1')).toThrow('no tag matches ^1 (no semver tags)');
  });
});

describe('checks/tools options', () => {
  it('rejects an invalid range, a name as revision, two of branch/revision/tag, and two checkouts at one path', () => {
    const bad = parseIssues({ checkouts: [{ path: '/t', vcs: 'git', repo: 'r', tag: 'one point four' }] });
    expect(bad).toEqual(['checkouts.0.tag: expected a semver range like ^1.4 or ">=2 <3"']);
    expect(parseIssues({ checkouts: [{ path: '/t', vcs: 'hg', repo: 'r', revision: 'default' }] })[0]).toContain(
      'expected a commit hash',
    );
    expect(parseIssues({ checkouts: [{ path: '/t', vcs: 'hg', repo: 'r', branch: 'default', tag: '^1' }] })).toEqual([
      'checkouts.0: give at most one of branch, revision and tag',
    ]);
    const twice = { path: '/t', vcs: 'hg', repo: 'r' };
    expect(parseIssues({ checkouts: [twice, twice] })).toEqual([
      'checkouts.1.path: "/t" is listed twice (also checkouts[0]): a clean or reclone of one would delete the other',
    ]);
  });

  it('names the file, line and field of a bad range in runner.yaml', () => {
    const yaml = 'checks:\n  - tools:\n      checkouts:\n        - { path: /t, vcs: git, repo: r, tag: latest }\n';
    expect(() => parseConfig(yaml, 'runner.yaml')).toThrow(
      /runner\.yaml:4:\d+: checks\[0\]\.tools\.checkouts\[0\]\.tag: expected a semver range/,
    );
  });
});

function parseIssues(raw: unknown): string[] {
  const r = ToolsOptions.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('checks/tools decide', () => {
  const co = Checkout.parse({ path: '/tools/t', vcs: 'hg', repo: 'https://hg.example/t' });
  const to = { spec: 'branch default', rev: B };
  const repo = { state: 'repository' as const, leftovers: [], node: A, remote: 'https://hg.example/t/', dirty: [] };

  it('is nothing to do at the target, clean, with the remote equal up to a trailing slash', () => {
    expect(sameRemote('https://hg.example/t/', 'https://hg.example/t')).toBe(true);
    expect(decide(co, { ...repo, node: B }, to)).toBeUndefined();
  });

  it('clones a missing checkout, reclones on a wrong remote, updates and cleans otherwise', () => {
    expect(decide(co, { state: 'missing', leftovers: [] }, to)).toMatchObject({
      action: 'clone',
      reasons: ['missing'],
    });
    expect(decide(co, { ...repo, remote: 'https://elsewhere/t' }, to)).toMatchObject({
      action: 'reclone',
      reasons: ['remote is https://elsewhere/t, not https://hg.example/t'],
    });
    const plan = decide(co, { ...repo, dirty: ['M a', '? b'], leftovers: ['/tools/.t.runner-clone-1'] }, to);
    expect(plan).toMatchObject({ action: 'update', pull: true, from: A, dirty: 2, clean: ['M a', '? b'] });
    expect(explainCheckout(plan!)).toEqual([
      '- /tools/t (hg):',
      '    remove leftover /tools/.t.runner-clone-1',
      `    pull, then update from aaaaaaaaaaaa to branch default (bbbbbbbbbbbb)`,
      '    discard 2 local changes: M a, ? b',
    ]);
  });

  it('lists at most 50 of many local changes, with the full count', () => {
    const dirty = Array.from({ length: 120 }, (_, i) => `? f${i}`);
    const plan = decide(co, { ...repo, node: B, dirty }, to);
    expect(plan).toMatchObject({ pull: false, dirty: 120 });
    expect(plan?.clean).toHaveLength(50);
    expect(explainCheckout(plan!).at(-1)).toMatch(/, … \(120 in all\)$/);
  });
});
