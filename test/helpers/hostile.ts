import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Owner } from './attacker.js';
import { RUNNER_BIN } from './cli.js';
import { plantDecoys, type Decoys } from './decoys.js';
import { sandbox } from './tmp.js';
import { ensureUser } from './users.js';

/** A hostile test file's world: a sandbox with root-owned decoys, the build user and another user. */
export interface Setting {
  root: string;
  build: Owner;
  other: Owner;
  /** fresh decoys for one test, so one test's damage never fails another */
  decoys(name: string, ageMs?: number): Decoys;
}

export function hostileSetting(prefix: string): Setting {
  const root = sandbox(prefix);
  // the build user must reach its own dirs inside the sandbox
  chmodSync(root, 0o755);
  return {
    root,
    build: ensureUser('rtest-build'),
    other: ensureUser('rtest-other'),
    decoys: (name, ageMs) => plantDecoys(ownedDir(join(root, name), ROOT), ageMs),
  };
}

const ROOT = { uid: 0, gid: 0 };

/** A dir (and its parents) created as root, then owned by `owner`. */
export function ownedDir<P extends string | Buffer>(path: P, owner: Owner, mode = 0o755): P {
  mkdirSync(path, { recursive: true });
  chownSync(path, owner.uid, owner.gid);
  chmodSync(path, mode);
  return path;
}

export function ownedFile(path: string, owner: Owner, data: string | Buffer = 'x\n'): string {
  writeFileSync(path, data);
  chownSync(path, owner.uid, owner.gid);
  return path;
}

/** Sets mtime (and atime) `ageMs` in the past. */
export function age(path: string | Buffer, ageMs: number): void {
  const t = (Date.now() - ageMs) / 1000;
  utimesSync(path, t, t);
}

/** A runner.yaml of these checks (JSON is YAML: every hostile path stays one quoted scalar). */
export function writeConfig(dir: string, name: string, checks: object[]): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `checks:\n${checks.map((c) => `  - ${JSON.stringify(c)}`).join('\n')}\n`);
  return file;
}

export interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
  /** killed at the deadline */
  hung: boolean;
  args: string[];
}

/**
 * The built runner with a deadline: past it the whole process group it started is SIGKILLed and `hung` is set.
 * Its address space is capped so a read of /dev/zero cannot take the shared machine's memory with it.
 */
export async function runWithin(args: string[], timeoutMs = 20_000): Promise<Run> {
  const proc = spawn('sh', ['-c', 'ulimit -v 4000000; exec "$@"', 'sh', process.execPath, RUNNER_BIN, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  proc.stdout?.on('data', (d: Buffer) => out.push(d));
  proc.stderr?.on('data', (d: Buffer) => err.push(d));
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    process.kill(-(proc.pid as number), 'SIGKILL');
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve) => proc.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err), hung, args };
}

/** The run ended by itself (else: "hung"), and its output for messages. */
export function expectEnded(r: Run): string {
  const text = `${r.stdout.toString()}${r.stderr.toString()}`;
  expect(r.hung, `runner ${r.args.join(' ')} hung: killed at its deadline\n${text}`).toBe(false);
  return text;
}

/** `runner apply` then asserts it ended; returns its output. */
export async function apply(config: string, timeoutMs?: number): Promise<Run> {
  const r = await runWithin(['apply', '--config', config], timeoutMs);
  expectEnded(r);
  return r;
}

export async function check(config: string, timeoutMs?: number): Promise<Run> {
  const r = await runWithin(['check', '--config', config], timeoutMs);
  expectEnded(r);
  return r;
}
