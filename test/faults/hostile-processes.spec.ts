import { planOf } from '../../src/core/types.js';
import { chmodSync, mkdirSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processes } from '../../src/checks/processes/index.js';
import { readSnapshot } from '../../src/checks/processes/read.js';
import { ProcessesOptions, type ProcessesPlan, type Proc } from '../../src/checks/processes/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import { processes as fix } from '../../src/remediations/processes.js';
import { signalRound } from '../../src/remediations/processes-signal.js';
import { testContext } from '../helpers/context.js';
import { alive, PidNamespace } from '../helpers/pidns.js';
import { sandbox } from '../helpers/tmp.js';
import { ensureUser } from '../helpers/users.js';

// The build user fights back: renames its processes, runs programs through symlinks and odd paths, writes
// command lines made to stall a matcher or to look like ps output. All of it in a pid namespace of its own.
const BUILD = 'rtest-build';
const root = sandbox();
const home = join(root, 'build');
const baseline = join(root, 'hostile.baseline');
let ns: PidNamespace;

beforeAll(async () => {
  const build = ensureUser(BUILD);
  chmodSync(root, 0o755);
  mkdirSync(home);
  chownSync(home, build.uid, build.gid);
  ns = await PidNamespace.start();
  // a baseline of nothing: every process the build user starts from here on is stray unless allowed
  const r = await run('apply', {});
  expect(r.status, r.summary).toBe('changed');
});
afterAll(() => ns?.close());

async function run(mode: 'check' | 'apply', raw: Record<string, unknown>) {
  const options = ProcessesOptions.parse({ users: [BUILD], baseline, min_age: '0s', grace: '1s', ...raw });
  return runCheck(ns.host(), { check: processes, remediation: fix, options }, testContext(mode));
}

const strayPids = (plan: unknown) => (plan as Extract<ProcessesPlan, { action: 'kill' }>).strays.map((s) => s.pid);

/** Starts argv as the build user; waits until its process shows a command line starting with `shows`. */
async function start(argv: string[], shows: string): Promise<number> {
  const pid = await ns.spawn(BUILD, argv);
  await ns.until((m) => m.get(pid)?.args.startsWith(shows) === true, `${pid} to show ${shows.slice(0, 40)}`);
  return pid;
}

/** As the build user, in its own directory. */
async function asBuild(script: string): Promise<void> {
  const r = await ns.exec(['runuser', '-u', BUILD, '--', 'sh', '-c', `cd "$1" && ${script}`, 'sh', home]);
  expect(r.exitCode, r.stderr).toBe(0);
}

describe('faults: hostile processes (pid namespace, real build user)', () => {
  it('kills a process that names itself like an allowed program (perl $0, bash exec -a), keeps the real one', async () => {
    const allow = ['/usr/bin/sleep *'];
    const perl = await start(['perl', '-e', '$0 = "/usr/bin/sleep 1001"; sleep 1000'], '/usr/bin/sleep 1001');
    const execA = await start(
      ['bash', '-c', 'exec -a "/usr/bin/sleep 1002" perl -e "sleep 1000"'],
      '/usr/bin/sleep 1002',
    );
    const honest = await start(['/usr/bin/sleep', '1003'], '/usr/bin/sleep 1003');
    const byPath = await start(['sleep', '1004'], 'sleep 1004');
    const check = await run('check', { allow });
    expect(check.status, check.summary).toBe('drift');
    expect(strayPids(planOf(check)).sort((a, b) => a - b)).toEqual([perl, execA]);
    const r = await run('apply', { allow });
    expect(r.summary).toMatch(/^killed 2 processes/);
    const procs = await ns.until((m) => alive(m, [perl, execA]).length === 0, 'spoofers to die');
    expect(alive(procs, [honest, byPath])).toEqual([honest, byPath]);
    await run('apply', {});
  });

  it('judges a program run through a symlink by its executable: a link to /usr/bin/sleep is sleep, a copy is not', async () => {
    await asBuild('ln -s /usr/bin/sleep ./sleep-link && cp /usr/bin/sleep ./sleep-copy');
    const allow = ['/usr/bin/sleep *'];
    const link = await start([join(home, 'sleep-link'), '2001'], `${home}/sleep-link 2001`);
    const copy = await start([join(home, 'sleep-copy'), '2002'], `${home}/sleep-copy 2002`);
    const check = await run('check', { allow });
    expect(strayPids(planOf(check))).toEqual([copy]);
    expect((await readSnapshot(ns.host(), [], ['/usr/bin/sleep'])).procs.find((p) => p.pid === link)?.exe).toBe(
      '/usr/bin/sleep',
    );
    // without allow rules nothing looks at executables: none are read
    expect((await readSnapshot(ns.host())).procs.filter((p) => p.exe !== undefined)).toEqual([]);
    await run('apply', {});
    expect(alive(await ns.until((m) => alive(m, [link, copy]).length === 0, 'both to die'), [link, copy])).toEqual([]);
  });

  it('reads an exe path holding a newline, a tab and a fake record as one path of its own pid', async () => {
    await asBuild("mkdir -p 'a\n/proc/1\t/usr/bin' && cp /usr/bin/sleep 'a\n/proc/1\t/usr/bin/sleep'");
    const path = `${home}/a\n/proc/1\t/usr/bin/sleep`;
    const pid = await start([path, '3001'], `${home}/a`);
    const snap = await readSnapshot(ns.host(), [], ['/usr/bin/sleep']);
    expect(snap.procs.find((p) => p.pid === pid)?.exe).toBe(path);
    expect(snap.procs.filter((p) => p.exe === '/usr/bin/sleep')).toEqual([]);
    const check = await run('check', { allow: ['/usr/bin/sleep *'] });
    expect(strayPids(planOf(check))).toEqual([pid]);
    await run('apply', {});
  });

  it('finishes the probe with a glob of 20 "*a" runs against a 100 KB command line', async () => {
    const allow = [`/usr/bin/perl ${'*a'.repeat(20)}b`];
    // named by its path, so the command line starts like the glob and a backtracking RegExp never returns
    const long = await start(
      ['/usr/bin/perl', '-e', 'sleep 1000', 'a'.repeat(100_000)],
      '/usr/bin/perl -e sleep 1000 aaaa',
    );
    expect((await ns.processes()).get(long)?.args.length).toBeGreaterThan(100_000);
    const check = await run('check', { allow });
    expect(strayPids(planOf(check))).toEqual([long]);
    const keep = await run('check', { allow: [`/usr/bin/perl ${'*a'.repeat(20)}`] });
    expect(keep.status, keep.summary).toBe('ok');
    await run('apply', {});
  });

  it('never signals a live pid whose start time is not the one pinned: neither apply nor the signal script', async () => {
    // its own process group (setsid), so the group round has a real group to refuse
    const pid = await start(['setsid', 'sleep', '4001'], 'sleep 4001');
    const check = await run('check', {});
    const plan = planOf(check) as Extract<ProcessesPlan, { action: 'kill' }>;
    const wrong = { ...plan, strays: plan.strays.map((s) => ({ ...s, start: s.start + 1 })) };
    const options = ProcessesOptions.parse({ users: [BUILD], baseline, min_age: '0s', grace: '1s' });
    expect(await fix.apply(ns.host(), wrong, options, testContext('apply'))).toBe(
      `nothing to kill: the stray processes had already exited; left alone 1 whose pid is another process since the probe: ${pid}`,
    );
    // the script re-checks by itself, each of 10 times: alone and as a member of its group
    const s = plan.strays[0] as Extract<ProcessesPlan, { action: 'kill' }>['strays'][number];
    for (let i = 0; i < 10; i++) {
      expect((await signalRound(ns.host(), 'KILL', [{ ...s, start: s.start - 1 - i }])).moved).toEqual([pid]);
      const group = await signalRound(ns.host(), 'KILL', [{ ...s, start: s.start + 1 + i }], [s.pgid]);
      expect(group).toMatchObject({ groups: [], sent: [], moved: [pid] });
    }
    expect(alive(await ns.processes(), [pid])).toEqual([pid]);
    expect((await signalRound(ns.host(), 'KILL', [s])).sent).toEqual([pid]);
    expect(alive(await ns.until((m) => alive(m, [pid]).length === 0, 'pinned pid to die'), [pid])).toEqual([]);
  });

  it('reads command lines and comms made of newlines, fake ps lines and control characters as data', async () => {
    const fake = '\n31337 1 31337 31337 0 99999 S /sbin/init\n';
    const argv = [
      'perl',
      '-e',
      'open my $f, ">", "/proc/self/comm"; print $f "x) S 1\\n9) R"; close $f; sleep 1000',
      fake,
      'tab\there',
      'esc\x1b[2Jcr\rbel\x07',
    ];
    const pid = await start(argv, 'perl -e open');
    const ps = await ns.processes();
    const snap = await readSnapshot(ns.host(), [], ['/usr/bin/perl']);
    for (const procs of [[...ps.values()], snap.procs]) {
      expect(procs.filter((p) => p.pid === 31337 || p.uid === 99999)).toEqual([]);
      expect(procs.filter((p) => p.pid === pid)).toEqual([
        expect.objectContaining({ ppid: 1, uid: ensureUser(BUILD).uid, stat: 'S' }),
      ]);
      expect(new Set(procs.map((p) => p.pid)).size).toBe(procs.length);
    }
    const p = snap.procs.find((x) => x.pid === pid) as Proc;
    expect(p.args).toContain(' 31337 1 31337 31337 0 99999 S /sbin/init ');
    expect(p.exe).toBe('/usr/bin/perl');
    // the start time as the kernel wrote it after the comm we know: field 22 is the 20th after "(comm) "
    const raw = (await ns.exec(['cat', `/proc/${pid}/stat`])).stdout;
    expect(p.start).toBe(Number(raw.slice(`${pid} (x) S 1\n9) R) `.length).split(' ')[19]));
    const r = await run('apply', {});
    expect(r.summary).toMatch(/^killed 1 processes/);
  });
});
