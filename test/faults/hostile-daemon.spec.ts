import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorker, delay, sendChange } from '../../fixtures/buildbot/harness.js';
import { sessionMembers } from '../../src/host/procfs.js';
import { daemonSuite, DaemonRun, writeDaemonConfig, type DaemonEvent } from '../helpers/daemon.js';
import { ensureUser } from '../helpers/users.js';

// The build user (a CI job) plants symlinks and FIFOs where the root daemon writes or reads. One real master for the file.
const suite = daemonSuite('runner-hostile-daemon-');
const root = suite.root;
const BUILD = 'rtest-build';
// real buildbot processes on 2 shared cores: a hang shows as this timeout, never as a timing assertion
const SLOW = 240_000;
const is = (name: string) => (e: DaemonEvent) => e.event === name;

/** Root-owned files outside the worker's basedir that nothing may change: content, mode, owner, mtime. */
function decoys(dir: string, names: string[]): { paths: Record<string, string>; fingerprint(): string[] } {
  mkdirSync(dir, { recursive: true });
  const old = new Date('2020-01-02T03:04:05Z');
  const paths = Object.fromEntries(names.map((n) => [n, join(dir, n)]));
  for (const p of Object.values(paths)) {
    writeFileSync(p, `precious ${p}\n`, { mode: 0o644 });
    utimesSync(p, old, old);
  }
  const fingerprint = () =>
    Object.values(paths).map((p) => {
      const st = statSync(p);
      return `${p} ${createHash('sha256').update(readFileSync(p)).digest('hex')} ${st.mode} ${st.uid}:${st.gid} ${st.size} ${st.mtimeMs}`;
    });
  return { paths, fingerprint };
}

/** What the build user does, as the build user. */
function asBuild(argv: string[]): void {
  execFileSync('runuser', ['-u', BUILD, '--', ...argv], { stdio: 'pipe' });
}

/** A worker dir owned by the build user, a root-owned state dir, a daemon config running the worker as that user. */
async function setup(name: string, o: { via: 'stamp' | 'signal'; lifecycle?: string[] }) {
  const user = ensureUser(BUILD);
  chmodSync(root, 0o755); // mkdtemp makes it 0700: the build user must reach its basedir
  const dir = join(root, name);
  mkdirSync(dir);
  const basedir = await createWorker(join(dir, 'worker'), suite.master.port, {
    allowShutdown: o.via === 'stamp' ? 'file' : 'signal',
  });
  execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, basedir]);
  const { config, stateDir } = writeDaemonConfig(
    dir,
    [],
    [
      `  worker: { basedir: ${basedir}, user: ${BUILD} }`,
      '  attach_timeout: 60s',
      `  drain: { via: ${o.via}, after_first_job: false, deadline: 2m, stop_grace: 1s }`,
      ...(o.lifecycle ?? []),
    ],
  );
  return { dir, basedir, config, stateDir, user };
}

async function stderrMatches(run: DaemonRun, re: RegExp, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!re.test(run.stderr)) {
    if (run.proc.exitCode !== null || Date.now() > until)
      throw new Error(`no ${re} on the daemon's stderr:\n${run.stderr.slice(-3000)}`);
    await delay(50);
  }
}

describe('runner daemon against a hostile build user', () => {
  it(
    'shutdown.stamp planted as a symlink to a root file: the file is untouched, the stamp replaced, the worker drains',
    async () => {
      const t = await setup('stamp', { via: 'stamp' });
      const d = decoys(join(t.dir, 'decoys'), ['stamp-target']);
      const before = d.fingerprint();
      const stamp = join(t.basedir, 'shutdown.stamp');
      asBuild(['ln', '-s', d.paths['stamp-target'] as string, stamp]);
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
      await run.waitFor(is('attached'));
      // a busy worker drains through the stamp (an idle one would be stopped by SIGTERM, stamp untouched)
      await sendChange(suite.master.port, { sleep: 1 });
      await run.waitFor(is('build-started'));
      run.proc.kill('SIGTERM');
      expect(await run.exit()).toEqual({ code: 0, signal: null });
      expect(d.fingerprint()).toEqual(before);
      const warning = run.events().find((e) => is('warning')(e) && String(e.detail).includes('shutdown.stamp'));
      expect(warning?.detail).toBe(
        `${stamp} is a symlink: runner never writes through one; replaced it by a regular file`,
      );
      expect(run.stderr).toContain(`${stamp} is a symlink`);
      expect(run.events().find(is('drain-requested'))).toMatchObject({
        via: 'stamp',
        detail: `touched ${stamp} (a new file)`,
      });
      expect(lstatSync(stamp).isFile()).toBe(true);
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );

  it(
    'events.jsonl and a pid_file in a dir of the build user planted as symlinks to root files: both files untouched',
    async () => {
      const pidDir = join(root, 'pids');
      const t = await setup('records', { via: 'signal' });
      mkdirSync(pidDir, { mode: 0o755 });
      chownSync(pidDir, t.user.uid, t.user.gid);
      writeFileSync(
        t.config,
        readFileSync(t.config, 'utf8').replace(`user: ${BUILD} }`, `user: ${BUILD}, pid_file: ${pidDir}/worker.pid }`),
      );
      const d = decoys(join(t.dir, 'decoys'), ['events-target', 'pid-target']);
      const before = d.fingerprint();
      const pidFile = join(pidDir, 'worker.pid');
      asBuild(['ln', '-s', d.paths['pid-target'] as string, pidFile]);
      // the build user cannot write state_dir (the daemon refuses one it could): a symlink left there by anyone is never followed either
      symlinkSync(d.paths['events-target'] as string, join(t.stateDir, 'events.jsonl'));
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
      try {
        await stderrMatches(run, /worker attached/);
        expect(lstatSync(pidFile).isFile()).toBe(true); // the symlink was replaced (rename), not written through
        const pid = Number(readFileSync(pidFile, 'utf8'));
        expect(existsSync(`/proc/${pid}`)).toBe(true);
        run.proc.kill('SIGTERM');
        expect(await run.exit()).toEqual({ code: 0, signal: null });
        expect(d.fingerprint()).toEqual(before);
        expect(run.stderr).toContain(
          `warning: cannot record state: ${join(t.stateDir, 'events.jsonl')} is a symlink: runner never writes through one`,
        );
        expect(JSON.parse(readFileSync(join(t.stateDir, 'last_run.json'), 'utf8'))).toMatchObject({ state: 'exit' }); // the other files were still written
        expect(existsSync(pidFile)).toBe(false);
        expect(await sessionMembers(pid)).toEqual([]);
      } finally {
        rmSync(join(t.stateDir, 'events.jsonl'), { force: true }); // the symlink: the helpers read the events from there
      }
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );

  it.each([
    [
      'owned by the build user',
      (p: string, uid: number) => chownSync(p, uid, 0),
      /is owned by rtest-build \(uid \d+\), not root \(mode 0755\)/,
    ],
    ['world-writable', (p: string) => chmodSync(p, 0o777), /is world-writable \(mode 0777\)/],
    ['group-writable', (p: string) => chmodSync(p, 0o775), /is group-writable \(mode 0775\)/],
    [
      'inside a dir of the build user',
      (p: string, uid: number) => chownSync(join(p, '..'), uid, 0),
      /is owned by rtest-build/,
    ],
    [
      'that is a symlink',
      (p: string) => (renameSync(p, `${p}.real`), symlinkSync(`${p}.real`, p)),
      /state is a symlink \(name the real directory\)/,
    ],
  ])(
    'a state_dir %s: the daemon refuses to start (exit 1), naming the dir; nothing runs',
    async (name, spoil, problem) => {
      const t = await setup(`state-${name.replaceAll(' ', '-')}`, { via: 'signal' });
      spoil(t.stateDir, t.user.uid);
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
      expect(await run.exit(60_000)).toEqual({ code: 1, signal: null });
      const said = run.stderr.trim();
      // stamped with its ISO time, like every line of the daemon's log off journald
      expect(said).toMatch(new RegExp(`^\\S+Z runner: ${t.config}: lifecycle\\.state_dir ${t.stateDir}: /\\S+ `));
      expect(said).toMatch(problem);
      expect(said).toMatch(/runner keeps its state only where root alone can write$/);
      expect(existsSync(join(t.stateDir, 'events.jsonl'))).toBe(false);
      expect(existsSync(join(t.basedir, 'twistd.log'))).toBe(false);
    },
    SLOW,
  );

  it.each([
    ['a FIFO', (p: string) => asBuild(['mkfifo', p]), /buildbot\.tac is a FIFO, not a regular file: not read/],
    [
      'a symlink to a root file that allows the drain',
      (p: string, decoy: string) => asBuild(['ln', '-sf', decoy, p]),
      /buildbot\.tac is a symlink: runner never follows one here/,
    ],
    [
      'a 100 kB file',
      (p: string) => asBuild(['sh', '-c', `yes "# padding" | head -c 100000 >> ${p}`]),
      /buildbot\.tac is larger than 65536 bytes: not read/,
    ],
  ])(
    'buildbot.tac replaced by the build user with %s: a config error naming it (exit 1), never followed or waited on',
    async (name, plant, said) => {
      const t = await setup(`tac-${name.split(' ')[1]}`, { via: 'signal' });
      const decoy = join(t.dir, 'root-tac');
      writeFileSync(decoy, "allow_shutdown = 'signal'\n", { mode: 0o644 });
      const tac = join(t.basedir, 'buildbot.tac');
      if (!name.includes('100 kB')) asBuild(['rm', tac]);
      plant(tac, decoy);
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
      expect(await run.exit(60_000)).toEqual({ code: 1, signal: null });
      expect(run.stderr.trim()).toMatch(new RegExp(`^\\S+Z runner: ${tac} is `));
      expect(run.stderr).toMatch(said);
      expect(existsSync(join(t.basedir, 'twistd.log'))).toBe(false);
    },
    SLOW,
  );

  it.each([
    ['a FIFO', (p: string) => asBuild(['mkfifo', p]), /twistd\.pid is a FIFO, not a regular file/],
    ['a symlink to /dev/zero', (p: string) => asBuild(['ln', '-s', '/dev/zero', p]), /twistd\.pid is a symlink/],
  ])(
    'twistd.pid planted as %s: reported and removed, the worker starts; SIGTERM stops the daemon',
    async (_, plant, said) => {
      const t = await setup(`pid-${_.split(' ')[1]}`, { via: 'signal' });
      const pidPath = join(t.basedir, 'twistd.pid');
      plant(pidPath);
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
      expect((await run.waitFor(is('stale-pid'), 1, 60_000)).detail).toMatch(said);
      await run.waitFor(is('attached'));
      run.proc.kill('SIGTERM');
      expect(await run.exit()).toEqual({ code: 0, signal: null });
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );

  it.each([
    ['a FIFO', (p: string) => asBuild(['mkfifo', p]), /twistd\.log is a FIFO, not a regular file: not followed/],
    [
      'a symlink to /dev/zero',
      (p: string) => asBuild(['ln', '-s', '/dev/zero', p]),
      /twistd\.log is a symlink: not followed/,
    ],
  ])(
    'twistd.log planted as %s: a failed try that says why, never a hang; SIGTERM stops the daemon',
    async (_, plant, said) => {
      const t = await setup(`log-${_.split(' ')[1]}`, {
        via: 'signal',
        lifecycle: ['  retry: { tries: 50, base: 0.5s, jitter: 0s }'],
      });
      plant(join(t.basedir, 'twistd.log'));
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
      const stopped = await run.waitFor(is('stopped'), 2, 60_000);
      expect(stopped).toMatchObject({ failure: 'start-failed', why: expect.stringMatching(said) });
      expect(run.events().some(is('started'))).toBe(false); // no worker ran on a log that cannot be followed
      run.proc.kill('SIGTERM');
      expect(await run.exit()).toEqual({ code: 0, signal: null });
      expect(run.events().at(-1)).toMatchObject({ event: 'exit', code: 0 });
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );
});
