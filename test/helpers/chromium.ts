import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

/** Where tests keep what people look at afterwards (gitignored). */
export function artifactPath(name: string): string {
  const dir = resolve('test-artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/**
 * Runs the real headless Chromium once on `url` (its own profile dir, removed after) and returns its stdout;
 * a run past 90 s is killed, by its pid. A missing binary fails the test: it is never skipped.
 */
export async function chromium(args: readonly string[], url: string): Promise<string> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (PACKAGES in .ci/run)`);
  const profile = mkdtempSync(join(tmpdir(), 'runner-chromium-'));
  const argv = ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, ...args, url];
  const proc = spawn(CHROMIUM, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => proc.pid && process.kill(proc.pid, 'SIGKILL'), 90_000);
  try {
    const code = await new Promise<number | null>((done) => proc.on('exit', done));
    if (code !== 0) throw new Error(`chromium ${argv.join(' ')} exited ${code}:\n${err.slice(-2000)}`);
    return out;
  } finally {
    clearTimeout(timer);
    rmSync(profile, { recursive: true, force: true });
  }
}
