import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startMaster, stopMaster, type Master } from '../../fixtures/buildbot/harness.js';
import { killSession } from '../../src/host/kill.js';
import { cmdlineOf, sessionMembers } from '../../src/host/procfs.js';
import { findWorkerIn } from '../../src/lifecycle/worker.js';
import { RUNNER_BIN } from './cli.js';
import { freePort } from './ports.js';
import { sandbox } from './tmp.js';

export interface DaemonEvent {
  time: string;
  event: string;
  iteration: number;
  state?: string;
  [field: string]: unknown;
}

/** `runner daemon` spawned as the built binary, with its state dir and worker dir known for waiting and cleanup. */
export class DaemonRun {
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private err = '';
  private workerPids = new Set<number>();

  constructor(
    readonly config: string,
    readonly stateDir: string,
    readonly basedir: string,
    args: string[] = [],
    env: Record<string, string> = {},
    /** argv the daemon runs under, e.g. nsenter into a pid namespace */
    wrap: string[] = [],
  ) {
    // never journald's JOURNAL_STREAM of whoever runs the tests: a test that wants it says so
    const { JOURNAL_STREAM: _, ...inherited } = process.env;
    const argv = [...wrap, process.execPath, RUNNER_BIN, 'daemon', '--config', config, ...args];
    this.proc = spawn(argv[0] as string, argv.slice(1), {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...inherited, ...env },
    });
    this.proc.stderr?.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get stderr(): string {
    return this.err;
  }

  events(): DaemonEvent[] {
    const file = join(this.stateDir, 'events.jsonl');
    if (!existsSync(file)) return [];
    const list = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as DaemonEvent);
    for (const e of list) if (e.event === 'started') this.workerPids.add(e.pid as number);
    return list;
  }

  /** Waits for the `n`-th event matching; fails with the daemon's log when it exits or time runs out. */
  async waitFor(match: (e: DaemonEvent) => boolean, n = 1, timeoutMs = 180_000): Promise<DaemonEvent> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events().filter(match);
      if (found.length >= n) return found[n - 1] as DaemonEvent;
      if (this.proc.exitCode !== null || this.proc.signalCode !== null || Date.now() > until) {
        throw new Error(
          `event not seen (daemon ${this.proc.exitCode === null ? 'still running' : `exited ${this.proc.exitCode}`}):\n${this.err.slice(-3000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async exit(timeoutMs = 180_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const timer = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`daemon still running:\n${this.err.slice(-3000)}`)), timeoutMs).unref(),
    );
    return Promise.race([this.exited, timer]);
  }

  /** Every process this run left: the daemon, and anything in the sessions of the workers it started. */
  async leftovers(): Promise<number[]> {
    this.events();
    const left: number[] = [];
    if (this.proc.exitCode === null && this.proc.signalCode === null) left.push(this.proc.pid as number);
    for (const sid of this.workerPids) left.push(...(await sessionMembers(sid)));
    const stray = await findWorkerIn(this.basedir);
    if (stray !== undefined) left.push(stray);
    return left;
  }

  /** Test teardown: whatever is still running of this run is killed (the daemon first, then worker sessions). */
  async cleanup(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
    this.events();
    for (const sid of this.workerPids) await killSession(sid);
    const stray = await findWorkerIn(this.basedir);
    if (stray !== undefined) await killSession(stray);
  }
}

/** A runner.yaml for a daemon test: `checks` and `lifecycle` YAML bodies (indented two spaces already). */
export function writeDaemonConfig(
  dir: string,
  checks: string[],
  lifecycle: string[],
): { config: string; stateDir: string } {
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir, { recursive: true });
  const config = join(dir, 'runner.yaml');
  const text = [
    'checks:',
    ...(checks.length ? checks : []),
    'lifecycle:',
    `  state_dir: ${stateDir}`,
    ...lifecycle,
    '',
  ].join('\n');
  writeFileSync(config, checks.length ? text : text.replace('checks:\n', 'checks: []\n'));
  return { config, stateDir };
}

/** The pids of the running build step (fixtures/buildbot/master.cfg's `sh -c 'echo build-start; …'`) in a worker's session. */
export async function waitForStep(worker: number, timeoutMs = 60_000): Promise<number[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const members = (await sessionMembers(worker)).filter((p) => p !== worker);
    const argv = await Promise.all(members.map((p) => cmdlineOf(p)));
    const steps = members.filter((_, k) => argv[k]?.join(' ').includes('build-start'));
    if (steps.length) return steps;
    if (Date.now() > until) throw new Error(`no build step in the session of worker ${worker}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A daemon test file: its sandbox, optionally one real master for all its tests, and the run of the current test, cleaned up after it. */
export interface DaemonSuite {
  root: string;
  master: Master;
  run: DaemonRun | undefined;
}

export function daemonSuite(prefix: string, withMaster = true): DaemonSuite {
  const suite = { root: sandbox(prefix), run: undefined } as DaemonSuite;
  if (withMaster) {
    beforeAll(async () => {
      suite.master = await startMaster(join(suite.root, 'master'), await freePort());
    });
    afterAll(async () => {
      if (suite.master) await stopMaster(suite.master);
    });
  }
  afterEach(async () => {
    await suite.run?.cleanup();
    suite.run = undefined;
  });
  return suite;
}
