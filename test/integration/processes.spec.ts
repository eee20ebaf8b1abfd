import { planOf } from '../../src/core/types.js';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processes } from '../../src/checks/processes/index.js';
import { readSnapshot } from '../../src/checks/processes/read.js';
import { descendants } from '../../src/checks/processes/select.js';
import { ProcessesOptions, type ProcessesPlan } from '../../src/checks/processes/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import type { Proc } from '../../src/checks/processes/schema.js';
import type { Context } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import { SshHost } from '../../src/host/ssh.js';
import { parseKnownHosts } from '../../src/host/ssh/known-hosts.js';
import { processes as fix } from '../../src/remediations/processes.js';
import { RUNNER_BIN } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { alive, PidNamespace } from '../helpers/pidns.js';
import { knownHostsLine, sshClient, startSshd } from '../helpers/sshd.js';
import { sandbox } from '../helpers/tmp.js';
import { ensureUser } from '../helpers/users.js';

// Every process here lives in a pid namespace of this file's own, and so does every ps and kill the check runs:
// nothing outside it can be seen, let alone signalled. Closing the namespace kills whatever is left.
const BUILD = 'rtest-build';
const OTHER = 'rtest-other';
const root = sandbox();
let ns: PidNamespace;
let build: { uid: number; gid: number };

beforeAll(async () => {
  build = ensureUser(BUILD);
  ensureUser(OTHER);
  chmodSync(root, 0o755);
  ns = await PidNamespace.start();
});
afterAll(() => ns?.close());

function entry(raw: Record<string, unknown>) {
  return {
    check: processes,
    remediation: fix,
    options: ProcessesOptions.parse({ users: [BUILD], min_age: '0s', grace: '1s', ...raw }),
  };
}

async function run(mode: 'check' | 'apply', raw: Record<string, unknown>, extra: Partial<Context> = {}) {
  return runCheck(ns.host(), entry(raw), { ...testContext(mode), ...extra });
}

/** Spawns `argv` as `user`; waits until `count` processes of its tree whose command line contains `marker` run; their pids. */
async function spawnTree(user: string, argv: string[], marker: string, count = 1): Promise<number[]> {
  const top = await ns.spawn(user, argv);
  const mine = (m: Map<number, Proc>) => {
    const tree = descendants([...m.values()], [top]);
    return [...m.values()]
      .filter((p) => tree.has(p.pid) && p.args.includes(marker) && !p.stat.startsWith('Z'))
      .map((p) => p.pid);
  };
  return mine(await ns.until((m) => mine(m).length >= count, marker)).sort((a, b) => a - b);
}

const WEIRD_BASE = ['perl', '-e', 'sleep 1000', '--', 'base  two spaces', "it's", '"double"', 'new\nline'];
const strayPids = (plan: unknown) =>
  (plan as Extract<ProcessesPlan, { action: 'kill' }>).strays.map((s) => s.pid).sort((a, b) => a - b);

describe('checks/processes (real processes in a pid namespace)', () => {
  const baseline = join(root, 'main.baseline');
  const pidFile = join(root, 'worker.pid');
  const opts = { baseline, allow: ['/usr/bin/sleep 3000[0-9]2'], protect: [pidFile] };
  const keep: Record<string, number[]> = {};
  const stray: Record<string, number[]> = {};

  it('records a baseline the first time and kills nothing', async () => {
    keep.daemon = await spawnTree(BUILD, ['sleep', '100001'], 'sleep 100001');
    keep.weird = await spawnTree(BUILD, WEIRD_BASE, 'base  two spaces');
    // a baseline process with a zombie child it never reaps
    keep.reaper = await spawnTree(BUILD, ['sh', '-c', 'sleep 0 & exec sleep 100002'], 'sleep 100002');
    const r = await run('apply', opts);
    expect(r.status, r.summary).toBe('changed');
    expect(r.summary).toBe('baseline recorded, 3 processes');
    const text = readFileSync(baseline, 'utf8');
    expect(text).toContain(`users ${build.uid}\n`);
    expect(text).toContain(`1 ${build.uid} "sleep 100001"\n`);
    expect(text).toContain(`1 ${build.uid} "perl -e sleep 1000 -- base  two spaces it's \\"double\\" new line"\n`);
    expect(alive(await ns.processes(), Object.values(keep).flat())).toEqual(Object.values(keep).flat());
  });

  it('in check mode plans exactly the strays, whole groups marked, and kills nothing', async () => {
    stray.plain = await spawnTree(BUILD, ['sleep', '200001'], 'sleep 200001');
    stray.group = await spawnTree(
      BUILD,
      ['setsid', 'sh', '-c', 'sleep 210002 & sleep 210003 & wait'],
      'sleep 21000',
      3,
    );
    stray.stubborn = await spawnTree(
      BUILD,
      ['perl', '-e', '$SIG{TERM} = "IGNORE"; sleep 1000', 'stubborn'],
      'stubborn',
    );
    stray.stopped = await spawnTree(BUILD, ['perl', '-e', 'kill STOP => $$; sleep 1000', 'stopped'], 'stopped');
    stray.zombieParent = await spawnTree(BUILD, ['sh', '-c', 'sleep 0 & exec sleep 200004'], 'sleep 200004');
    stray.second = await spawnTree(BUILD, ['sleep', '100001'], 'sleep 100001');
    stray.quotes = await spawnTree(
      BUILD,
      ['perl', '-e', 'sleep 1000', '--', 'a  "quoted" arg', "it's", 'x\ty'],
      'quoted',
    );
    keep.other = await spawnTree(OTHER, ['sleep', '300001'], 'sleep 300001');
    keep.allowed = await spawnTree(BUILD, ['sleep', '300002'], 'sleep 300002');
    keep.worker = await spawnTree(BUILD, ['sh', '-c', 'sleep 300003 & wait', 'worker'], 'sleep 300003', 2);
    writeFileSync(pidFile, `${Math.min(...(keep.worker as number[]))}\n`);
    const r = await run('check', opts);
    expect(r.status, r.summary).toBe('drift');
    expect(strayPids(planOf(r))).toEqual(
      Object.values(stray)
        .flat()
        .sort((a, b) => a - b),
    );
    const plan = planOf(r) as Extract<ProcessesPlan, { action: 'kill' }>;
    const grouped = plan.strays
      .filter((s) => s.wholeGroup)
      .map((s) => s.pid)
      .sort((a, b) => a - b);
    expect(grouped).toEqual(stray.group);
    expect(plan.strays.find((s) => s.pid === stray.quotes?.[0])?.args).toBe(
      `perl -e sleep 1000 -- a  "quoted" arg it's x?y`,
    );
    expect(plan.strays.every((s) => s.user === BUILD)).toBe(true);
    expect(r.warnings?.join('\n')).toMatch(
      new RegExp(
        `zombie \\d+ \\[sleep\\] <defunct>: its parent ${stray.zombieParent?.[0]} \\(sleep 200004\\) is stray`,
      ),
    );
    expect(r.warnings?.join('\n')).toMatch(
      new RegExp(`parent ${keep.reaper?.[0]} \\(sleep 100002\\) has not reaped it`),
    );
    const all = [...Object.values(keep), ...Object.values(stray)].flat();
    expect(alive(await ns.processes(), all)).toEqual(all);
  });

  it('apply kills exactly the strays (TERM, then KILL for the stubborn), and a second apply changes nothing', async () => {
    const r = await run('apply', opts);
    expect(r.status, r.summary).toBe('changed');
    expect(r.summary).toBe('killed 9 processes (8 on SIGTERM, 1 on SIGKILL, 1 process group as a whole)');
    // killed strays and the stray parent's zombie are reaped by init; the baseline reaper's zombie stays, reported, not "killed"
    const zombieParents = (m: Map<number, Proc>) =>
      [...m.values()].filter((p) => p.stat.startsWith('Z')).map((z) => z.ppid);
    const procs = await ns.until(
      (m) => alive(m, Object.values(stray).flat()).length === 0 && zombieParents(m).length === 1,
      'strays to die',
    );
    expect(alive(procs, Object.values(keep).flat())).toEqual(Object.values(keep).flat());
    expect(zombieParents(procs)).toEqual(keep.reaper);
    const again = await run('apply', opts);
    expect(again.status, again.summary).toBe('ok');
  });

  it('leaves strays younger than min_age alone', async () => {
    const young = await spawnTree(BUILD, ['sleep', '400001'], 'sleep 400001');
    expect((await run('check', { ...opts, min_age: '1h' })).status).toBe('ok');
    const r = await run('apply', opts);
    expect(r.status, r.summary).toBe('changed');
    expect(alive(await ns.until((m) => alive(m, young).length === 0, 'young stray to die'), young)).toEqual([]);
  });

  it('never touches protected pids, given as numbers, nor their descendants', async () => {
    const tree = await spawnTree(BUILD, ['sh', '-c', 'sleep 500001 & wait', 'protected'], 'sleep 500001', 2);
    const r = await run('apply', { ...opts, protect: [pidFile, Math.min(...tree)] });
    expect(r.status, r.summary).toBe('ok');
    expect(alive(await ns.processes(), tree)).toEqual(tree);
  });

  it('fails with the path and line of a malformed baseline, and kills nothing', async () => {
    const bad = join(root, 'bad.baseline');
    writeFileSync(bad, `users ${build.uid}\n1 ${build.uid} "sleep 100001"\n2 sleep 100002\n`);
    const victim = await spawnTree(BUILD, ['sleep', '600001'], 'sleep 600001');
    const r = await run('apply', { ...opts, baseline: bad });
    expect(r.status).toBe('failed');
    expect(r.summary).toContain(`baseline ${bad}:3: expected COUNT UID "COMMAND LINE", got "2 sleep 100002"`);
    expect(alive(await ns.processes(), victim)).toEqual(victim);
  });

  it('fails on a garbage pid file and kills nothing; a missing pid file protects nothing', async () => {
    const garbage = join(root, 'garbage.pid');
    writeFileSync(garbage, 'twelve\n');
    const victim = await spawnTree(BUILD, ['sleep', '600002'], 'sleep 600002');
    const r = await run('apply', { ...opts, protect: [garbage] });
    expect(r.status).toBe('failed');
    expect(r.summary).toContain(`pid file ${garbage}:1: expected pids, got "twelve"`);
    expect(alive(await ns.processes(), victim)).toEqual(victim);
    const missing = await run('check', { ...opts, protect: [join(root, 'missing.pid')] });
    expect(missing.status).toBe('drift');
    expect(strayPids(planOf(missing))).toEqual(expect.arrayContaining([...(keep.worker ?? []), ...victim]));
  });

  it('fails when the baseline does not cover a user now in scope', async () => {
    const r = await run('check', { ...opts, users: [BUILD, OTHER] });
    expect(r.status).toBe('failed');
    expect(r.summary).toContain(
      `baseline ${baseline} does not cover ${OTHER}: re-record it with 'runner apply --only processes --rebaseline'`,
    );
  });

  it('re-records the baseline on rebaseline, kills nothing, and then converges', async () => {
    const r = await run('apply', opts, { rebaseline: true });
    expect(r.status, r.summary).toBe('changed');
    expect(r.summary).toMatch(/^baseline recorded, \d+ processes$/);
    expect((await run('apply', opts, { rebaseline: true })).status).toBe('ok');
    expect((await run('apply', opts)).status).toBe('ok');
  });
});

describe('runner apply as the build user (the binary, in the namespace)', () => {
  it("kills a stray but never runner's own ancestors, which are the build user's too", async () => {
    const dir = join(root, 'cli');
    mkdirSync(dir);
    chownSync(dir, build.uid, build.gid);
    const config = join(dir, 'runner.yaml');
    writeFileSync(
      config,
      `checks:\n  - processes: { users: [${BUILD}], baseline: ${dir}/b, min_age: 0s, grace: 1s, allow: ["/usr/bin/sleep 3000[0-9]2"] }\n`,
    );
    const chain = (args: string) =>
      ns.exec([
        'runuser',
        '-u',
        BUILD,
        '--',
        'sh',
        '-c',
        `sh -c 'node ${RUNNER_BIN} ${args} --config ${config}; echo "exit $?"'; echo outer-alive`,
      ]);
    const first = await chain('apply');
    expect(first.stdout).toContain('baseline recorded');
    expect(first.stdout).toMatch(/exit 2\nouter-alive$/);
    const victim = await spawnTree(BUILD, ['sleep', '700001'], 'sleep 700001');
    const second = await chain('apply --only processes');
    expect(second.stdout).toMatch(/changed\s+processes\s+killed 1 processes/);
    expect(second.stdout).toMatch(/exit 2\nouter-alive$/);
    expect(alive(await ns.processes(), victim)).toEqual([]);
    const re = await chain('apply --only processes --rebaseline');
    expect(re.stdout).toMatch(/ok\s+processes\s+baseline .* is up to date/);
    expect(re.stdout).toMatch(/exit 0\nouter-alive$/);
  });
});

describe('the probe over SSH reads what it reads locally (as a user that is not root; read only, nothing killed)', () => {
  it("gives the same start times; exe links only for the ssh user's own processes", async () => {
    const client = sshClient(join(root, 'ssh-client'));
    const sshd = await startSshd({
      dir: join(root, 'sshd'),
      address: '127.0.0.9',
      authorizedKeys: client.authorizedKeys,
    });
    const target = {
      name: 'h1',
      address: sshd.address,
      port: sshd.port,
      user: client.user,
      identityFiles: [client.key],
      explicitIdentity: true,
      become: false,
    };
    const ssh = await SshHost.connect(target, {
      knownHosts: parseKnownHosts(knownHostsLine(sshd)),
      recordTo: join(root, 'kh'),
      acceptNew: false,
      connectTimeoutMs: 20_000,
    });
    // a process of the ssh user outside any namespace: this test started it, this test ends it, by its pid
    const { uid, gid } = ensureUser(client.user);
    const mine = execa('sleep', ['900001'], { uid, gid, reject: false, stdio: 'ignore' });
    const pid = mine.pid as number;
    try {
      const exeOf = async () =>
        (await readSnapshot(new LocalHost(), [client.user], ['/usr/bin/sleep'])).procs.find((p) => p.pid === pid)?.exe;
      for (let i = 0; i < 200 && (await exeOf()) !== '/usr/bin/sleep'; i++)
        await new Promise((res) => setTimeout(res, 25));
      const [local, remote] = [
        await readSnapshot(new LocalHost(), [client.user], ['/usr/bin/sleep']),
        await readSnapshot(ssh, [client.user], ['/usr/bin/sleep']),
      ];
      expect(remote.procs.find((p) => p.pid === pid)).toMatchObject({
        exe: '/usr/bin/sleep',
        args: 'sleep 900001',
        start: local.procs.find((p) => p.pid === pid)?.start,
      });
      expect(remote.exes).toEqual(local.exes);
      // runner's own process is root's: its start time is world-readable, its exe link is not
      expect(remote.procs.find((p) => p.pid === process.pid)).toMatchObject({
        start: local.procs.find((p) => p.pid === process.pid)?.start,
      });
      expect(remote.procs.find((p) => p.pid === process.pid)?.exe).toBeUndefined();
      expect(local.procs.find((p) => p.pid === process.pid)?.exe).toBe(process.execPath);
    } finally {
      mine.kill('SIGKILL');
      await mine;
      await ssh.close();
      await sshd.stop();
    }
  });
});
