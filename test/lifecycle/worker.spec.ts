import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killSession, stopSession } from '../../src/host/kill.js';
import { cmdlineOf, isAlive, parseStat, sessionMembers } from '../../src/host/procfs.js';
import { spawnWorker } from '../../src/host/spawn.js';
import { clearStalePid, requestDrain, stampBaseline } from '../../src/lifecycle/worker.js';
import { sandbox } from '../helpers/tmp.js';

const dir = sandbox('runner-worker-');
/** A root file outside every basedir: a planted link must never reach it. */
const decoy = join(dir, 'decoy');
writeFileSync(decoy, 'precious\n');
const sessions: number[] = [];
afterAll(async () => {
  for (const sid of sessions) await killSession(sid);
});

/** A process of ours, detached into its own session, that the test kills itself. */
function detached(argv: string[], cwd = dir): number {
  const child = spawn(argv[0] as string, argv.slice(1), { cwd, detached: true, stdio: 'ignore' });
  sessions.push(child.pid as number);
  child.unref();
  return child.pid as number;
}

function pgrpOf(pid: number): number | undefined {
  return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.pgrp;
}

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('host/procfs', () => {
  it('parses /proc/PID/stat with spaces and parentheses in the command name', () => {
    expect(parseStat('4242 (my (odd) cmd) S 1 4242 4240 0 -1 4194560 …')).toEqual({
      pid: 4242,
      state: 'S',
      ppid: 1,
      pgrp: 4242,
      session: 4240,
    });
    expect(parseStat('garbage')).toBeUndefined();
  });
});

describe('lifecycle/worker', () => {
  it('starts the worker in its own session and stops every process of it, build steps in their own groups included', async () => {
    // like twistd running build steps: background jobs in their own process groups, one ignoring SIGTERM
    const own = (ignoreTerm: boolean) =>
      `/usr/bin/python3 -c 'import os, signal; os.setpgid(0, 0); ${ignoreTerm ? 'signal.signal(signal.SIGTERM, signal.SIG_IGN); ' : ''}os.execvp("sleep", ["sleep", "300"])' &`;
    const script = `${own(false)} ${own(true)} echo started; wait`;
    const w = await spawnWorker({ argv: ['sh', '-c', script], cwd: dir, env: { PATH: process.env.PATH as string } });
    sessions.push(w.pid);
    const steps = async () => {
      const pids = (await sessionMembers(w.pid)).filter((p) => p !== w.pid);
      const own = await Promise.all(pids.map(async (p) => (await cmdlineOf(p))?.[0] === 'sleep' && pgrpOf(p) === p));
      return own.filter(Boolean).length;
    };
    await until(async () => (await steps()) === 2, 'two steps in their own process groups');
    const members = await sessionMembers(w.pid);
    process.kill(w.pid, 'SIGKILL'); // the worker dies abruptly: its steps are orphaned, still in its session
    expect(await w.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect((await sessionMembers(w.pid)).length).toBe(members.length - 1);
    const { terminated, killed } = await stopSession(w.pid, 500);
    expect(terminated.sort()).toEqual(members.filter((p) => p !== w.pid).sort());
    expect(killed.length).toBeGreaterThanOrEqual(1); // the one ignoring SIGTERM
    expect(await sessionMembers(w.pid)).toEqual([]);
    expect(w.output()).toBe('started');
  });

  it('a command that cannot start is an error naming it', async () => {
    await expect(spawnWorker({ argv: ['/nonexistent/buildbot-worker'], cwd: dir, env: {} })).rejects.toThrow(
      /cannot start worker '\/nonexistent\/buildbot-worker': .*ENOENT/,
    );
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not-a-pid\n'],
    ['a dead pid', '4194303\n'],
  ])('removes a stale twistd.pid: %s', async (_, text) => {
    const base = join(dir, `stale-${text.length}`);
    mkdirSync(base);
    writeFileSync(join(base, 'twistd.pid'), text);
    const r = await clearStalePid(base);
    expect(r.running).toBeUndefined();
    expect(r.removed).toMatch(/removed stale .*twistd\.pid/);
    expect(existsSync(join(base, 'twistd.pid'))).toBe(false);
  });

  it('a live pid that is not a worker (recycled) is stale too; a live worker is not', async () => {
    const base = join(dir, 'live');
    mkdirSync(base);
    const sleeper = detached(['sleep', '300']);
    writeFileSync(join(base, 'twistd.pid'), `${sleeper}\n`);
    expect((await clearStalePid(base)).removed).toMatch(new RegExp(`pid ${sleeper} is not a running worker`));
    const twistd = detached(['bash', '-c', 'exec -a /usr/bin/twistd3 sleep 300']);
    await until(async () => (await cmdlineOf(twistd))?.[0] === '/usr/bin/twistd3', 'exec -a');
    writeFileSync(join(base, 'twistd.pid'), `${twistd}\n`);
    expect(await clearStalePid(base)).toEqual({
      running: `a worker is already running for ${base} (pid ${twistd}, from twistd.pid)`,
    });
    expect(existsSync(join(base, 'twistd.pid'))).toBe(true);
  });

  it('finds a foreground worker with no pid file by its working directory (never two workers)', async () => {
    const base = join(dir, 'foreground');
    mkdirSync(base);
    const fg = detached(['bash', '-c', 'exec -a buildbot-worker sleep 300'], base);
    await until(async () => (await cmdlineOf(fg))?.[0] === 'buildbot-worker', 'exec -a');
    expect(await clearStalePid(base)).toEqual({ running: `a worker is already running in ${base} (pid ${fg})` });
    await killSession(fg);
    expect(await isAlive(fg)).toBe(false);
    expect(await clearStalePid(base)).toEqual({});
  });

  it('touches the stamp newer than the baseline the worker saw, even when that baseline is in the future', async () => {
    const base = join(dir, 'stamp');
    mkdirSync(base);
    expect(await stampBaseline(base)).toBe(0);
    writeFileSync(join(base, 'shutdown.stamp'), '');
    const future = new Date(Date.now() + 3_600_000);
    utimesSync(join(base, 'shutdown.stamp'), future, future);
    const baseline = await stampBaseline(base);
    expect(await requestDrain('stamp', process.pid, base, baseline)).toEqual({
      done: `touched ${join(base, 'shutdown.stamp')}`,
    });
    expect(statSync(join(base, 'shutdown.stamp')).mtimeMs).toBeGreaterThan(baseline + 990); // utimes takes whole ms
  });

  it.each([
    ['a FIFO', (p: string) => execFileSync('mkfifo', [p]), /twistd\.pid is a FIFO, not a regular file/],
    ['a symlink to /dev/zero', (p: string) => symlinkSync('/dev/zero', p), /twistd\.pid is a symlink/],
    ['a symlink to a pid file elsewhere', (p: string) => symlinkSync(decoy, p), /twistd\.pid is a symlink/],
    [
      'a huge file',
      (p: string) => writeFileSync(p, Buffer.alloc(8 << 20, 0x31)),
      /twistd\.pid is larger than 64 bytes/,
    ],
  ])(
    'twistd.pid planted as %s: never read through or waited on; removed by unlink, what it pointed to untouched',
    async (name, plant, said) => {
      const base = join(dir, `planted-${name.replaceAll(/\W/g, '')}`);
      mkdirSync(base);
      plant(join(base, 'twistd.pid'));
      const r = await clearStalePid(base);
      expect(r.removed).toMatch(said);
      expect(existsSync(join(base, 'twistd.pid'))).toBe(false);
      expect(readFileSync(decoy, 'utf8')).toBe('precious\n');
    },
  );

  it('a twistd.pid that cannot be removed (a directory) refuses the start, naming it', async () => {
    const base = join(dir, 'pid-dir');
    mkdirSync(join(base, 'twistd.pid'), { recursive: true });
    expect((await clearStalePid(base)).refused).toMatch(new RegExp(`cannot remove ${base}/twistd\\.pid: `));
  });

  it.each([
    ['a symlink to a root file', (p: string) => symlinkSync(decoy, p), 'is a symlink: runner never writes through one'],
    ['a hard link to a root file', (p: string) => linkSync(decoy, p), 'has 2 hard links: not written'],
    ['a FIFO', (p: string) => execFileSync('mkfifo', [p]), 'is a FIFO or socket, not a regular file: not written'],
    ['an empty directory', (p: string) => mkdirSync(p), 'is a directory, not a regular file: not written'],
  ])(
    'shutdown.stamp planted as %s: replaced by a file of ours and touched; what it pointed to untouched',
    async (name, plant, said) => {
      const base = join(dir, `stamp-${name.replaceAll(/\W/g, '')}`);
      mkdirSync(base);
      const stamp = join(base, 'shutdown.stamp');
      const before = statSync(decoy).mtimeMs;
      plant(stamp);
      const r = await requestDrain('stamp', process.pid, base, 0);
      expect(r).toEqual({
        done: `touched ${stamp} (a new file)`,
        replaced: `${stamp} ${said}; replaced it by a regular file`,
      });
      expect(lstatSync(stamp).isFile()).toBe(true);
      expect(statSync(decoy).mtimeMs).toBe(before);
      expect(readFileSync(decoy, 'utf8')).toBe('precious\n');
    },
  );

  it('a stamp that cannot be replaced (a full directory) is an error naming it: no drain could be requested', async () => {
    const base = join(dir, 'stamp-full-dir');
    mkdirSync(join(base, 'shutdown.stamp', 'inside'), { recursive: true });
    await expect(requestDrain('stamp', process.pid, base, 0)).rejects.toThrow(
      `cannot replace ${base}/shutdown.stamp (${base}/shutdown.stamp is a directory, not a regular file: not written): cannot write ${base}/shutdown.stamp: EEXIST`,
    );
  });

  it('a basedir swapped for a symlink: no stamp is created or touched where it points', async () => {
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(dir, 'swapped'));
    await expect(requestDrain('stamp', process.pid, join(dir, 'swapped'), 0)).rejects.toThrow(
      `cannot touch ${join(dir, 'swapped', 'shutdown.stamp')}: ${join(dir, 'swapped')} is a symlink or not a directory`,
    );
    expect(existsSync(join(elsewhere, 'shutdown.stamp'))).toBe(false);
  });
});
