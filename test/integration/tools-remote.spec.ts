import { planOf } from '../../src/core/types.js';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tools } from '../../src/checks/tools/index.js';
import { ToolsOptions, type ToolsPlan } from '../../src/checks/tools/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import type { Mode, Result } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import { tools as fix } from '../../src/remediations/tools/index.js';
import { RUNNER_BIN, runner } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { freePort } from '../helpers/ports.js';
import { sandbox } from '../helpers/tmp.js';
import { ensureUser } from '../helpers/users.js';
import { addTag, headOf, hgServe, makeRepo, sh } from '../helpers/vcs.js';

const host = new LocalHost();
const T = sandbox('runner-tools-remote-');
const USER = 'rtest-tools';
let hgSrc = '';
let gitSrc = '';

beforeAll(() => {
  // the test user must reach the sources
  chmodSync(T, 0o755);
  hgSrc = join(T, 'hg-src');
  gitSrc = join(T, 'git-src');
  makeRepo(hgSrc, 'hg', { 'v1.0.0': 1 });
  makeRepo(gitSrc, 'git', { 'v1.0.0': 1 });
});

async function run(mode: Mode, checkouts: unknown[], extra: object = {}): Promise<Result> {
  const options = ToolsOptions.parse({ checkouts, ...extra });
  return runCheck(host, { check: tools, remediation: fix, options }, testContext(mode));
}

/** uid of every entry under `dir` that is not `uid`. */
function foreignOwners(dir: string, uid: number): string {
  return sh('/', `find "${dir}" ! -uid ${uid} | head -5`);
}

describe('tools: checkouts owned by the build user', () => {
  // sources the build user owns: git refuses to serve a repo owned by someone else ("dubious ownership")
  const srcs = { hg: join(T, 'user-src', 'hg'), git: join(T, 'user-src', 'git') };
  const asUser = (cwd: string, script: string) => sh(cwd, `runuser -u ${USER} -- sh -ec '${script}'`);

  it('clones and updates as `user`, so nothing in the checkout becomes root-owned', async () => {
    const { uid } = ensureUser(USER);
    mkdirSync(join(T, 'user-src'));
    for (const vcs of ['hg', 'git'] as const) makeRepo(srcs[vcs], vcs);
    sh(T, `chown -R ${USER}: user-src`);
    const checkouts = (['hg', 'git'] as const).map((vcs) => ({
      path: join(T, 'user', vcs),
      vcs,
      repo: srcs[vcs],
      user: USER,
    }));
    expect((await run('apply', checkouts)).status).toBe('changed');
    asUser(srcs.hg, 'echo v3 > VERSION && hg commit -q -m v3');
    asUser(srcs.git, 'echo v3 > VERSION && git commit -q -am v3');
    const updated = await run('apply', checkouts);
    expect(updated.status).toBe('changed');
    expect(updated.summary).toMatch(/updated .*hg from .* updated .*git from/s);
    for (const co of checkouts) {
      expect(readFileSync(join(co.path, 'VERSION'), 'utf8')).toBe('v3\n');
      expect(foreignOwners(co.path, uid)).toBe('');
    }
    expect((await run('check', checkouts)).status).toBe('ok');
  });

  it.each(['hg', 'git'] as const)(
    'refuses a %s checkout owned by another user when no `user` is set, naming the fix',
    async (vcs) => {
      const r = await run('check', [{ path: join(T, 'user', vcs), vcs, repo: srcs[vcs] }]);
      expect(r.status).toBe('failed');
      expect(r.summary).toContain(
        `belongs to ${USER} but ${vcs} would run as runner's user (root): set "user: ${USER}" on this checkout`,
      );
    },
  );
});

describe('tools: a shared store', () => {
  it('clones two hg and two git checkouts that share one store per repo', async () => {
    const share = join(T, 'share');
    const checkouts = ['a', 'b'].flatMap((n) => [
      { path: join(T, 'shared', `hg-${n}`), vcs: 'hg', repo: hgSrc },
      { path: join(T, 'shared', `git-${n}`), vcs: 'git', repo: gitSrc },
    ]);
    expect((await run('apply', checkouts, { share })).status).toBe('changed');
    for (const n of ['a', 'b']) {
      expect(readFileSync(join(T, 'shared', `hg-${n}`, '.hg', 'sharedpath'), 'utf8')).toMatch(new RegExp(`^${share}/`));
      expect(readFileSync(join(T, 'shared', `git-${n}`, '.git', 'objects', 'info', 'alternates'), 'utf8')).toMatch(
        new RegExp(`^${share}/`),
      );
    }
    expect(sh(share, 'ls | wc -l')).toBe('2');
    expect(headOf(join(T, 'shared', 'hg-b'), 'hg')).toBe(headOf(hgSrc, 'hg'));
    expect((await run('apply', checkouts, { share })).status).toBe('ok');
  });
});

describe('tools: an hg remote over HTTP (hg serve on loopback)', () => {
  let served: Awaited<ReturnType<typeof hgServe>> | undefined;
  afterAll(async () => served?.stop());

  it('looks up the branch head and new tags read-only, clones, then fails cleanly once the server is gone', async () => {
    const src = join(T, 'served');
    makeRepo(src, 'hg', { 'v1.0.0': 1 });
    served = await hgServe(src);
    const co = { path: join(T, 'http', 'hg'), vcs: 'hg', repo: served.url, tag: '^1' };
    expect((await run('apply', [co])).status).toBe('changed');
    expect(headOf(co.path, 'hg')).toBe(sh(src, "hg log -r 0 -T '{node}'"));

    addTag(src, 'hg', 'v1.1.0', 2);
    const checked = await run('check', [co]);
    expect((planOf(checked) as ToolsPlan).checkouts).toMatchObject([
      { action: 'update', pull: true, to: { tag: 'v1.1.0' } },
    ]);
    expect(sh(co.path, 'hg tags -q').split('\n')).not.toContain('v1.1.0');

    await served.stop();
    served = undefined;
    const down = await run('check', [co]);
    expect(down.status).toBe('failed');
    expect(down.summary).toMatch(/abort: error: Connection refused/);
  });
});

describe('tools: an apply killed in the middle of a clone', () => {
  it('leaves `path` untouched and its half-made temp clone is removed by the next apply', async () => {
    // a remote that accepts connections and never answers holds the clone in the middle
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const parent = join(T, 'killed');
    mkdirSync(parent);
    const config = join(T, 'killed.yaml');
    const yaml = (repo: string) =>
      `checks:\n  - tools: { checkouts: [ { path: ${parent}/hg, vcs: hg, repo: "${repo}", tag: "^1" } ] }\n`;
    writeFileSync(config, yaml(`http://127.0.0.1:${port}/`));

    // its own process group, so that the kill reaches runner and the hg it started, and nothing else
    const child = spawn(process.execPath, [RUNNER_BIN, 'apply', '--config', config], {
      detached: true,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const temp = await waitFor(() => readdirSync(parent).find((n) => n.startsWith('.hg.runner-clone-')), 60_000);
    await waitFor(() => held.length > 0 || undefined, 60_000);
    process.kill(-(child.pid as number), 'SIGKILL');
    await exited;
    for (const s of held) s.destroy();
    silent.close();
    expect(readdirSync(parent)).toEqual([temp]);

    writeFileSync(config, yaml(hgSrc));
    const again = await runner(['apply', '--config', config]);
    expect(again.code).toBe(2);
    expect(readdirSync(parent)).toEqual(['hg']);
    expect(headOf(join(parent, 'hg'), 'hg')).toBe(sh(hgSrc, "hg log -r 'tag(\"v1.0.0\")' -T '{node}'"));
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tools: runner on a fresh machine (no vcs identity, no config)', () => {
  it('check exits 2, apply exits 2, check again exits 0', async () => {
    const home = join(T, 'empty-home');
    mkdirSync(home);
    const config = join(T, 'runner.yaml');
    const drifted = join(T, 'fresh', 'git');
    sh('/', `git clone -q "${gitSrc}" "${drifted}" && echo local > "${drifted}/VERSION"`);
    writeFileSync(
      config,
      [
        'checks:',
        '  - tools:',
        '      checkouts:',
        `        - { path: ${join(T, 'fresh', 'hg')}, vcs: hg, repo: ${hgSrc}, branch: default }`,
        `        - { path: ${drifted}, vcs: git, repo: ${gitSrc}, branch: main }`,
        '',
      ].join('\n'),
    );
    const env = {
      HOME: home,
      HGRCPATH: '',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      USER: 'nobody-in-particular',
    };
    const codes: number[] = [];
    for (const cmd of ['check', 'apply', 'check']) {
      const r = await runner([cmd, '--config', config], { env });
      codes.push(r.code ?? -1);
      if (cmd === 'apply')
        expect(r.stdout).toMatch(
          /changed +tools +cloned .*hg at branch default .*cleaned .*git, discarding 1 local changes/,
        );
    }
    expect(codes).toEqual([2, 2, 0]);
    expect(existsSync(join(T, 'fresh', 'hg', '.hg'))).toBe(true);
  });
});
