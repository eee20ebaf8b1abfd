import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorker, workerConfig } from '../../fixtures/worker.js';
import { sandbox } from '../helpers/tmp.js';
import { freshMachine } from './contained.js';

// npm pack of the dist/ npm test built, installed globally under a prefix of its own, run where /work is hidden
const root = sandbox('runner-npm-');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string };
const prefix = join(root, 'prefix');
const config = join(root, 'small.yaml');
let tarball: string;
let machine: Awaited<ReturnType<typeof freshMachine>>;

const npm = (...args: string[]) => execFileSync('npm', args, { encoding: 'utf8', cwd: root });

beforeAll(async () => {
  chmodSync(root, 0o755);
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', root], { encoding: 'utf8' });
  tarball = join(root, (JSON.parse(packed) as Array<{ filename: string }>)[0]?.filename ?? 'none');
  // nothing to fetch: the bundle holds every dependency, so npm needs no registry
  npm('install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball);
  // a target 500 MB below free: what this test (and others) write meanwhile must not make it unreachable
  writeFileSync(config, workerConfig(makeWorker(join(root, 'worker'), { dirs: 6, maxDirBytes: 10_000 }), -500_000_000));
  machine = await freshMachine(root);
});

afterAll(() => machine?.close());

describe('the npm tarball (npm pack)', () => {
  it('is named ci-worker-runner (runner is taken on npm) and holds only what runs', () => {
    expect(pkg.name).toBe('ci-worker-runner');
    expect(tarball).toBe(join(root, `${pkg.name}-${pkg.version}.tgz`));
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
    // deploy/ whole (the unit, the package's scripts, the puppet module, the monitoring pieces), as git has it
    const deploy = execFileSync('git', ['ls-files', 'deploy'], { encoding: 'utf8' }).trim().split('\n');
    expect(files).toEqual(
      [
        'package/README.md',
        ...deploy.map((f) => `package/${f}`),
        'package/dist/bundle.cjs',
        'package/dist/bundle.cjs.cache',
        'package/dist/runner.cjs',
        'package/package.json',
      ].sort(),
    );
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.bin).toEqual({ runner: 'dist/runner.cjs' });
  });

  it('installs with npm install -g as a copy, not a link to the clone', () => {
    const installed = join(prefix, 'lib/node_modules', pkg.name);
    expect(execFileSync('find', [installed, '-type', 'l'], { encoding: 'utf8' })).toBe('');
    expect(execFileSync('readlink', ['-f', join(prefix, 'bin/runner')], { encoding: 'utf8' }).trim()).toBe(
      join(installed, 'dist/runner.cjs'),
    );
  });

  it("runs from the install where the clone cannot be seen, on the machine's node", async () => {
    const bin = join(prefix, 'bin/runner');
    expect(await machine.run(['ls', '/work'])).toMatchObject({ exitCode: 0, stdout: '' });
    expect(await machine.run([bin, '--version'])).toMatchObject({ exitCode: 0, stdout: pkg.version, stderr: '' });
    const check = await machine.run([bin, 'check', '-c', config, '--format', 'json']);
    expect(check.stderr).toBe('');
    expect([0, 2]).toContain(check.exitCode);
    const doc = JSON.parse(check.stdout) as { hosts: Array<{ results: Array<{ check: string }> }> };
    expect(doc.hosts.flatMap((h) => h.results.map((r) => r.check))).toEqual(['clobber', 'purge']);
  });
});
