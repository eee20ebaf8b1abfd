import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorker, workerConfig } from '../../fixtures/worker.js';
import { knownHostsLine } from '../helpers/sshd.js';
import { startPool } from '../helpers/ssh-pool.js';
import { sandbox } from '../helpers/tmp.js';
import { freshMachine } from './contained.js';

// npm run package's .deb, built from the dist/ that npm test built, then installed where the repo cannot be seen
const root = sandbox('runner-deb-');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string };
const deb = join(root, `${pkg.name}_${pkg.version}_amd64.deb`);
const extracted = join(root, 'x');
const config = join(root, 'small.yaml');
let machine: Awaited<ReturnType<typeof freshMachine>>;
let pool: Awaited<ReturnType<typeof startPool>>;

const dpkgDeb = (...args: string[]) => execFileSync('dpkg-deb', args, { encoding: 'utf8' });

beforeAll(async () => {
  execFileSync('node', ['scripts/sea.mjs']);
  const built = execFileSync('node', ['scripts/deb.mjs'], { encoding: 'utf8' }).trim();
  copyFileSync(built, deb);
  dpkgDeb('-x', deb, extracted);
  dpkgDeb('-e', deb, join(root, 'ctl'));
  // a target 500 MB below free: what this test (and others) write meanwhile must not make it unreachable
  writeFileSync(config, workerConfig(makeWorker(join(root, 'worker'), { dirs: 6, maxDirBytes: 10_000 }), -500_000_000));
  chmodSync(root, 0o755);
  mkdirSync(join(root, 'pool'));
  pool = await startPool(join(root, 'pool'), 1, 171);
  machine = await freshMachine(root);
  // this machine has no Node.js: the executable must carry its own
  await machine.run(['rm', '-f', '/usr/bin/node', '/usr/bin/nodejs']);
});

afterAll(async () => {
  machine?.close();
  await pool?.stop();
});

describe('the .deb (npm run package)', () => {
  it('has a control file with its name, version, dependencies, maintainer and description, and one conffile', () => {
    const info = dpkgDeb('-I', deb);
    expect(dpkgDeb('-f', deb, 'Package', 'Version', 'Architecture')).toBe(
      `Package: ${pkg.name}\nVersion: ${pkg.version}\nArchitecture: amd64\n`,
    );
    // one executable with its own Node: the machine's nodejs (18 on Debian 12) is not needed
    expect(dpkgDeb('-f', deb, 'Depends')).toBe('libc6 (>= 2.28), libgcc-s1, libstdc++6 (>= 6)\n');
    expect(info).toMatch(/^ Maintainer: \S.*<\S+@\S+>$/m);
    expect(info).toMatch(/^ Description: keeps CI build workers clean/m);
    expect(readFileSync(join(root, 'ctl', 'conffiles'), 'utf8')).toBe('/etc/runner/runner.yaml\n');
  });

  it('runs systemctl in its maintainer scripts only inside an `if [ -d /run/systemd/system ]`', () => {
    for (const script of ['postinst', 'prerm', 'postrm']) {
      const text = readFileSync(join(root, 'ctl', script), 'utf8');
      expect(text.split('\n').filter((l) => l.includes('systemctl')).length, script).toBeGreaterThan(0);
      expect(unguardedSystemctl(text), script).toEqual([]);
    }
    expect(readFileSync(join(root, 'ctl', 'postinst'), 'utf8')).toContain('systemctl enable runner.service');
  });

  it('holds the executable, the unit, the default config and /var/lib/runner, all owned by root', () => {
    const entries = dpkgDeb('-c', deb).trim().split('\n');
    expect(entries.every((l) => l.split(/\s+/)[1] === 'root/root')).toBe(true);
    const modeOf = (path: string) => entries.find((l) => l.endsWith(` ${path}`))?.split(/\s+/)[0];
    expect(modeOf('./usr/bin/runner')).toBe('-rwxr-xr-x');
    expect(modeOf('./lib/systemd/system/runner.service')).toBe('-rw-r--r--');
    expect(modeOf('./etc/runner/runner.yaml')).toBe('-rw-r--r--');
    expect(modeOf('./var/lib/runner/')).toBe('drwx------');
    expect(readFileSync(join(extracted, 'lib/systemd/system/runner.service'), 'utf8')).toBe(
      readFileSync('deploy/runner.service', 'utf8'),
    );
  });
});

/** Lines that run systemctl outside an if-block (or one-line if) whose condition tests /run/systemd/system. */
function unguardedSystemctl(text: string): string[] {
  const open: boolean[] = [];
  const bad: string[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line.startsWith('#')) continue;
    const guard = /^if .*\[ -d \/run\/systemd\/system \]/.test(line);
    if (line.startsWith('if ')) open.push(guard);
    if (line.includes('systemctl') && !guard && !open.includes(true)) bad.push(line);
    if (line === 'fi' || line.endsWith('; fi')) open.pop();
  }
  return bad;
}

interface Doc {
  exitCode: number;
  hosts: Array<{ host: string; reachable?: boolean; results: Array<{ check: string; status: string }> }>;
}
const checksOf = (stdout: string) => (JSON.parse(stdout) as Doc).hosts.flatMap((h) => h.results.map((r) => r.check));

describe('the .deb on a machine with neither the repo nor Node.js', () => {
  it('runs its executable copied out of the package: --version and a check', async () => {
    const exe = join(root, 'copied', 'runner');
    execFileSync('install', ['-D', '-m', '0755', join(extracted, 'usr/bin/runner'), exe]);
    expect(await machine.run(['sh', '-c', 'command -v node || echo none'])).toMatchObject({ stdout: 'none' });
    expect(await machine.run([exe, '--version'])).toMatchObject({ exitCode: 0, stdout: pkg.version, stderr: '' });
    const check = await machine.run([exe, 'check', '-c', config, '--format', 'json']);
    expect(check.stderr).toBe('');
    expect([0, 2]).toContain(check.exitCode);
    expect(checksOf(check.stdout)).toEqual(['clobber', 'purge']);
  });

  it("audits a real sshd with ssh2's JavaScript crypto (the executable cannot load ssh2's native binding)", async () => {
    const [host] = pool.hosts;
    if (!host) throw new Error('the pool has no host');
    const knownHosts = join(root, 'known_hosts');
    writeFileSync(knownHosts, `${knownHostsLine(host.sshd)}\n`);
    const inventory = join(root, 'pool.yaml');
    const at = { ansible_host: host.sshd.address, ansible_port: host.sshd.port, runner_config: host.config };
    const vars = { ansible_user: pool.client.user, ansible_ssh_private_key_file: pool.client.key };
    writeFileSync(inventory, JSON.stringify({ all: { vars, hosts: { [host.name]: at } } }));
    const exe = join(extracted, 'usr/bin/runner');
    const audit = await machine.run([exe, 'audit', '-i', inventory, '--known-hosts', knownHosts, '--format', 'json']);
    expect(audit.stderr).toBe('');
    const doc = JSON.parse(audit.stdout) as Doc;
    expect(doc.hosts.map((h) => h.host)).toEqual([host.name]);
    expect(checksOf(audit.stdout)).toEqual(['clobber', 'purge']);
    expect(doc.hosts[0]?.results.map((r) => r.status)).not.toContain('unreachable');
  });

  it('installs with dpkg -i (postinst without systemd), keeps an edited conffile on reinstall, and purges', async () => {
    const hadRunner = existsSync('/usr/bin/runner');
    const install = await machine.run(['dpkg', '-i', deb]);
    expect(install.stderr).toBe('');
    expect(install.exitCode).toBe(0);
    const stat = await machine.run(['stat', '-c', '%n %U:%G %a', '/var/lib/runner', '/usr/bin/runner']);
    expect(stat.stdout).toBe('/var/lib/runner root:root 700\n/usr/bin/runner root:root 755');
    expect(await machine.run(['runner', '--version'])).toMatchObject({ exitCode: 0, stdout: pkg.version });
    // the default config is valid as shipped (runner reads /etc/runner/runner.yaml when no -c is given)
    const validate = await machine.run(['runner', 'config', 'validate']);
    expect(validate).toMatchObject({ exitCode: 0, stdout: '/etc/runner/runner.yaml: ok (1 checks: puppet)' });
    const check = await machine.run(['runner', 'check', '-c', config, '--format', 'json']);
    expect(checksOf(check.stdout)).toEqual(['clobber', 'purge']);

    await machine.run(['sh', '-c', 'echo "# edited here" >> /etc/runner/runner.yaml']);
    expect(await machine.run(['dpkg', '-i', deb])).toMatchObject({ exitCode: 0 });
    expect((await machine.run(['tail', '-n', '1', '/etc/runner/runner.yaml'])).stdout).toBe('# edited here');

    expect(await machine.run(['dpkg', '--purge', pkg.name])).toMatchObject({ exitCode: 0 });
    const gone = await machine.run(['ls', '/usr/bin/runner', '/var/lib/runner', '/etc/runner']);
    expect(gone.stderr.split('\n').filter((l) => l.includes('No such file'))).toHaveLength(3);
    // and the machine running the test never saw any of it
    expect(existsSync('/usr/bin/runner')).toBe(hadRunner);
    expect(() => execFileSync('dpkg-query', ['-W', pkg.name], { stdio: 'ignore' })).toThrow();
  });
});
