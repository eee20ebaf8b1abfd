import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './ports.js';

/** Identity for the commits tests make; only fixture commands get it, never runner itself. */
export const COMMIT_ENV: Record<string, string> = {
  HGPLAIN: '1',
  HGUSER: 'runner-test <runner-test@example.invalid>',
  GIT_AUTHOR_NAME: 'runner-test',
  GIT_AUTHOR_EMAIL: 'runner-test@example.invalid',
  GIT_COMMITTER_NAME: 'runner-test',
  GIT_COMMITTER_EMAIL: 'runner-test@example.invalid',
};

/** Runs a shell snippet in `cwd` with the commit identity; returns trimmed stdout. */
export function sh(cwd: string, script: string): string {
  return execFileSync('sh', ['-ec', script], {
    cwd,
    env: { ...process.env, ...COMMIT_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
    .toString()
    .trim();
}

/** A repo with commits v1, v2 and the given tags on them: `{ 'v1.0.0': 1 }` tags commit 1. */
export function makeRepo(dir: string, vcs: 'hg' | 'git', tags: Record<string, number> = {}): void {
  sh('/', vcs === 'hg' ? `hg init -q "${dir}"` : `git init -q -b main "${dir}"`);
  for (const n of [1, 2]) commit(dir, vcs, `v${n}`);
  for (const [tag, n] of Object.entries(tags)) addTag(dir, vcs, tag, n);
}

/** A new commit writing `content` to VERSION; returns its full node. */
export function commit(dir: string, vcs: 'hg' | 'git', content: string): string {
  if (vcs === 'hg')
    return sh(
      dir,
      `echo ${content} > VERSION && hg add -q VERSION 2>/dev/null; hg commit -q -m ${content} && hg log -r . -T '{node}'`,
    );
  return sh(dir, `echo ${content} > VERSION && git add VERSION && git commit -q -m ${content} && git rev-parse HEAD`);
}

/** Tags the `n`th commit (1-based; hg tags add commits of their own, so count from the first ones); git tags are annotated. */
export function addTag(dir: string, vcs: 'hg' | 'git', tag: string, n: number): void {
  if (vcs === 'hg') sh(dir, `hg tag -q -r ${n - 1} "${tag}"`);
  else sh(dir, `git tag -a -m "${tag}" "${tag}" $(git rev-list --reverse HEAD | sed -n ${n}p)`);
}

/** The full node of the `n`th commit (1-based). */
export function nodeOf(dir: string, vcs: 'hg' | 'git', n: number): string {
  return vcs === 'hg'
    ? sh(dir, `hg log -r ${n - 1} -T '{node}'`)
    : sh(dir, `git rev-list --reverse HEAD | sed -n ${n}p`);
}

/** The node a checkout's working copy is at. */
export function headOf(dir: string, vcs: 'hg' | 'git'): string {
  return vcs === 'hg' ? sh(dir, "hg log -r . -T '{node}'") : sh(dir, 'git rev-parse HEAD');
}

/** `hg serve` of `repo` on a free loopback port, for remote look-ups over HTTP; `log` gets its access log. */
export async function hgServe(repo: string, opts: { log?: string } = {}): Promise<Served> {
  const port = await freePort();
  const log = opts.log ? ['-A', opts.log] : [];
  return serve(
    'hg',
    ['serve', '-R', repo, '-a', '127.0.0.1', '-p', String(port), ...log],
    port,
    `http://127.0.0.1:${port}/`,
  );
}

/**
 * `git daemon` exporting every repo under `base` on a free loopback port (git://127.0.0.1:PORT/NAME); its
 * verbose log (one "Request upload-pack" line per ls-remote or fetch) goes to `log`.
 */
export async function gitDaemon(base: string, log: string): Promise<Served> {
  const port = await freePort();
  const args = ['-c', 'safe.directory=*', 'daemon', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`];
  const argv = [...args, `--base-path=${base}`, '--export-all', '--verbose', '--log-destination=stderr', base];
  return serve('git', argv, port, `git://127.0.0.1:${port}/`, log);
}

export interface Served {
  /** ends with a slash: add a repo name for git */
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

async function serve(file: string, args: string[], port: number, url: string, stderrTo?: string): Promise<Served> {
  const err = stderrTo ? openSync(stderrTo, 'a') : 'ignore';
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', err], env: { ...process.env, HGPLAIN: '1' } });
  if (typeof err === 'number') closeSync(err);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, 30_000, file);
  return {
    url,
    pid: child.pid as number,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** How many lines of `file` contain `what` (0 when it does not exist yet). */
export function countLines(file: string, what: string): number {
  if (!existsSync(file)) return 0;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes(what)).length;
}

async function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => (s.end(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}
