import { execFileSync } from 'node:child_process';
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportDocument } from '../../src/report/document.js';
import { RUNNER_BIN, runner } from '../helpers/cli.js';
import { startPool, type PoolHost } from '../helpers/ssh-pool.js';
import { knownHostsLine, SSH_USER } from '../helpers/sshd.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree } from '../helpers/tree.js';

// The fleet path of exact plans: `runner audit --plan-out DIR` over a real sshd pool, then the shipped playbook
// applied by the real ansible-playbook, which runs this checkout's runner on each (loopback) host as the SSH user.
const PLAYBOOK = fileURLToPath(new URL('../../deploy/ansible/apply-plans.yml', import.meta.url));
const root = sandbox('runner-fleet-plans-');
const plans = join(root, 'plans');
const hostside = join(root, 'hostside');
const decoy = join(root, 'decoy');
let pool: Awaited<ReturnType<typeof startPool>>;
let inventory: string;
let knownHosts: string;
const env = { HOME: join(root, 'home'), SSH_AUTH_SOCK: '' };

beforeAll(async () => {
  pool = await startPool(root, 3, 61);
  const clean = join(root, 'clean-builds');
  mkdirSync(clean);
  writeFileSync(join(root, 'clean.yaml'), `checks:\n  - purge: { dirs: [${JSON.stringify(clean)}], max_age: 90m }\n`);
  // runner runs on the hosts as the SSH user: the trees it cleans, and where ansible puts its files, are that user's
  for (const h of pool.hosts) execFileSync('chown', ['-R', SSH_USER, join(h.worker.root, 'builds')]);
  mkdirSync(join(hostside, 'tmp'), { recursive: true });
  execFileSync('chown', ['-R', SSH_USER, hostside]);
  mkdirSync(env.HOME);
  mkdirSync(decoy);
  writeFileSync(join(decoy, 'keep-me'), 'root-owned decoy beside the pool\n');
  knownHosts = join(root, 'known_hosts');
  writeFileSync(knownHosts, `${pool.hosts.map((h) => knownHostsLine(h.sshd)).join('\n')}\n`);
  const [h1] = pool.hosts as [PoolHost];
  const at = (h: PoolHost) => ({ ansible_host: h.sshd.address, ansible_port: h.sshd.port, runner_config: h.config });
  inventory = join(root, 'pool.yaml');
  writeFileSync(
    inventory,
    JSON.stringify({
      all: {
        vars: {
          ansible_user: pool.client.user,
          ansible_ssh_private_key_file: pool.client.key,
          ansible_python_interpreter: '/usr/bin/python3',
        },
        children: {
          pool: {
            hosts: {
              ...Object.fromEntries(pool.hosts.map((h) => [h.name, at(h)])),
              clean: { ...at(h1), runner_config: join(root, 'clean.yaml') },
            },
          },
        },
      },
    }),
  );
});

afterAll(async () => {
  await pool?.stop();
});

async function audit(): Promise<{ doc: ReportDocument; stderr: string; code: number | undefined }> {
  const r = await runner(
    ['audit', '-i', inventory, '--known-hosts', knownHosts, '--format', 'json', '--plan-out', plans],
    { env },
  );
  return { doc: JSON.parse(r.stdout) as ReportDocument, stderr: r.stderr, code: r.code };
}

const statusOf = (doc: ReportDocument, host: string) =>
  doc.hosts
    .find((h) => h.host === host)
    ?.results.map((r) => r.status)
    .join(',');

async function playbook(batch: string, maxFail: number) {
  const r = await execa(
    'ansible-playbook',
    [
      '-i',
      inventory,
      PLAYBOOK,
      '-e',
      JSON.stringify({
        plans_dir: plans,
        batch,
        max_fail: maxFail,
        runner_command: ['node', RUNNER_BIN],
        runner_become: false,
        remote_plan_dir: `${hostside}/{{ inventory_hostname }}`,
      }),
    ],
    {
      reject: false,
      cwd: root,
      env: {
        ...env,
        ANSIBLE_HOME: join(root, 'ansible-home'),
        ANSIBLE_LOCAL_TEMP: join(root, 'ansible-local'),
        ANSIBLE_REMOTE_TEMP: join(hostside, 'tmp'),
        ANSIBLE_SSH_ARGS: `-o ControlMaster=no -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes`,
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
      },
    },
  );
  return { code: r.exitCode, out: `${r.stdout}\n${r.stderr}` };
}

/** "bld-01 : ok=4 changed=1 unreachable=0 failed=0 skipped=0…" → { ok: 4, changed: 1, failed: 0 } */
function recap(out: string, host: string): Record<string, number> | undefined {
  const line = out.split('\n').find((l) => l.startsWith(`${host} `) && l.includes('failed='));
  if (!line) return undefined;
  return Object.fromEntries([...line.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

/** A new build dir, 10 days old, in a host's tree after its plan was made: the plan no longer holds there. */
function lateOldDir(h: PoolHost, name: string): void {
  const d = join(h.worker.base, name);
  mkdirSync(d);
  writeFileSync(join(d, 'f'), 'x');
  const old = (Date.now() - 10 * 86_400_000) / 1000;
  utimesSync(d, old, old);
  execFileSync('chown', ['-R', SSH_USER, d]);
}

describe('runner audit --plan-out DIR, applied by deploy/ansible/apply-plans.yml', () => {
  it('plans the drifted hosts only; the playbook applies them in batches and stops past max_fail_percentage', async () => {
    const [h1, h2, h3] = pool.hosts as [PoolHost, PoolHost, PoolHost];
    const decoyHash = hashTree(decoy);

    const first = await audit();
    expect(first.code, first.stderr).toBe(2);
    expect(readdirSync(plans).sort()).toEqual(['bld-01.json', 'bld-02.json', 'bld-03.json']);
    expect(statSync(plans).mode & 0o777).toBe(0o700);
    expect(first.stderr).toContain('3 plan(s) written: bld-01, bld-02, bld-03');
    expect(statusOf(first.doc, 'clean')).toBe('ok');

    // bld-02 changes after its plan was made: one batch a host, no failure allowed: bld-03 is never reached
    lateOldDir(h2, 'try-lx64-late');
    const [two, three] = [hashTree(h2.worker.root), hashTree(h3.worker.root)];
    const run1 = await playbook('1', 0);
    expect(run1.code, run1.out).toBe(2);
    expect(run1.out).toContain('the host changed since the plan was made');
    expect(recap(run1.out, 'bld-01'), run1.out).toMatchObject({ failed: 0 });
    expect(recap(run1.out, 'bld-02'), run1.out).toMatchObject({ failed: 1 });
    expect(recap(run1.out, 'bld-03'), run1.out).toBeUndefined();
    expect(hashTree(h2.worker.root)).toBe(two);
    expect(hashTree(h3.worker.root)).toBe(three);

    // the re-audit: bld-01 converged (its plan file goes), bld-02 and bld-03 are planned afresh
    const second = await audit();
    expect(statusOf(second.doc, 'bld-01')).toBe('ok,ok');
    expect(statusOf(second.doc, 'bld-02')).toContain('drift');
    expect(readdirSync(plans).sort()).toEqual(['bld-02.json', 'bld-03.json']);
    expect(second.stderr).toContain('removed the earlier plans of: bld-01');

    // bld-02 changes again: batches [bld-01 (no plan), bld-02] and [bld-03, clean]; one failure in a batch of two
    // is 50%, within max_fail=50: the play goes on to bld-03; clean has no plan and is skipped
    lateOldDir(h2, 'try-lx64-later');
    const run2 = await playbook('2', 50);
    expect(run2.code, run2.out).toBe(2);
    expect(recap(run2.out, 'bld-02'), run2.out).toMatchObject({ failed: 1 });
    expect(recap(run2.out, 'bld-03'), run2.out).toMatchObject({ failed: 0 });
    expect(recap(run2.out, 'clean'), run2.out).toBeUndefined();
    expect(existsSync(join(hostside, 'clean'))).toBe(false);

    const third = await audit();
    expect(statusOf(third.doc, 'bld-03')).toBe('ok,ok');
    expect(readdirSync(plans)).toEqual(['bld-02.json']);
    const run3 = await playbook('25%', 0);
    expect(run3.code, run3.out).toBe(0);
    expect(recap(run3.out, 'bld-02'), run3.out).toMatchObject({ failed: 0 });

    const last = await audit();
    expect(last.code, last.stderr).toBe(0);
    for (const h of ['bld-01', 'bld-02', 'bld-03', 'clean']) expect(statusOf(last.doc, h)).toMatch(/^ok(,ok)?$/);
    expect(readdirSync(plans)).toEqual([]);
    expect(existsSync(join(h2.worker.base, 'try-lx64-later'))).toBe(false);
    expect(hashTree(decoy)).toBe(decoyHash);
    expect(existsSync(h1.worker.feed)).toBe(true);
  }, 300_000);

  it('refuses a host name that cannot be a file name, and a DIR that is not a directory, before connecting', async () => {
    const bad = join(root, 'bad.yaml');
    writeFileSync(bad, JSON.stringify({ all: { hosts: { '..': { ansible_host: '127.0.0.1' } } } }));
    const r1 = await runner(['audit', '-i', bad, '--plan-out', join(root, 'never')], { env });
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain('inventory host ".." cannot name a plan file');
    expect(existsSync(join(root, 'never'))).toBe(false);
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a dir\n');
    const r2 = await runner(['audit', '-i', inventory, '--plan-out', file], { env });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`--plan-out ${file}: exists and is not a directory (a regular file)`);
    chmodSync(file, 0o644);
  });
});
