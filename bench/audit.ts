import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPool } from '../test/helpers/ssh-pool.js';
import { knownHostsLine } from '../test/helpers/sshd.js';
import { RUNNER, fmt, record, stat } from './lib.js';

// Audit of 20 and 50 loopback hosts (purge + clobber on a real worker tree each) against the SSH floor,
// `parallel-ssh -p N … true`, with the same key exchange forced on both sides. Needs root (test user, sshd).
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const KEX = 'curve25519-sha256';
const SIZES = (process.env.BENCH_HOSTS ?? '20,50').split(',').map(Number);

interface Timed {
  ms: number;
  rssKb: number;
}

/** Wall time and peak RSS (GNU time's %M) of one command. */
function timed(argv: readonly string[], ok: readonly number[]): Timed {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SSH_AUTH_SOCK: '' } });
  const ms = performance.now() - t0;
  if (!ok.includes(r.status ?? -1)) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  const lines = r.stderr.toString().trim().split('\n');
  return { ms, rssKb: Number(lines.at(-1)) };
}

function median(xs: number[]): number {
  return stat(xs).median;
}

async function benchPool(n: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), `runner-bench-audit-${n}-`));
  const pool = await startPool(root, n, 100);
  try {
    const known = join(root, 'known_hosts');
    writeFileSync(known, `${pool.hosts.map((h) => knownHostsLine(h.sshd)).join('\n')}\n`);
    const inventory = join(root, 'pool.ini');
    const lines = pool.hosts.map((h) => `${h.name} ansible_host=${h.sshd.address} ansible_port=${h.sshd.port} runner_config=${h.config}`);
    writeFileSync(inventory, `[pool]\n${lines.join('\n')}\n[pool:vars]\nansible_user=${pool.client.user}\nansible_ssh_private_key_file=${pool.client.key}\n`);
    const hostsFile = join(root, 'pssh-hosts');
    writeFileSync(hostsFile, `${pool.hosts.map((h) => `${h.sshd.address}:${h.sshd.port}`).join('\n')}\n`);
    const stats = join(root, 'stats.json');
    const audit = ['node', RUNNER, 'audit', '-i', inventory, '--known-hosts', known, '--kex', KEX, '--forks', String(n), '--format', 'json', '-o', join(root, 'report.json'), '--stats', stats];
    const floor = ['parallel-ssh', '-p', String(n), '-h', hostsFile, '-l', pool.client.user, '-t', '60',
      '-x', `-i ${pool.client.key} -o UserKnownHostsFile=${known} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes -o KexAlgorithms=${KEX} -o IdentitiesOnly=yes`, 'true'];
    timed(audit, [2]);
    timed(floor, [0]);
    const a: Timed[] = [];
    const b: Timed[] = [];
    // alternate, so machine drift hits both sides alike
    for (let i = 0; i < RUNS; i++) (a.push(timed(audit, [2])), b.push(timed(floor, [0])));
    const per = Object.values(JSON.parse(readFileSync(stats, 'utf8')) as Record<string, { connectMs: number; execs: number; sftpOps: number; shellOps: number }>);
    const wall = stat(a.map((t) => t.ms));
    const pssh = stat(b.map((t) => t.ms));
    const connect = stat(per.map((p) => p.connectMs));
    const execs = median(per.map((p) => p.execs));
    const sftp = median(per.map((p) => p.sftpOps));
    const shell = median(per.map((p) => p.shellOps));
    const rssMb = Math.round(Math.max(...a.map((t) => t.rssKb)) / 1024);
    const ratio = Math.round((wall.median / pssh.median) * 100) / 100;
    console.log(`audit of ${n} hosts (purge + clobber), --forks ${n}: ${fmt(wall)}, peak RSS ${rssMb} MB`);
    console.log(`  parallel-ssh -p ${n} … true: ${fmt(pssh)}; audit / floor = ${ratio}× (goal ≤ 1.25×)`);
    console.log(`  per host: connect+auth ${fmt(connect)} (last run, under load of ${n} at once); round trips: ${execs} exec channel (the remote shell) + ${shell} shell requests + ${sftp} SFTP requests (median)`);
    record(`audit.${n}`, { wallMs: wall, floorMs: pssh, ratio, goal: 1.25, peakRssMb: rssMb, connectMs: connect, execsPerHost: execs, shellOpsPerHost: shell, sftpOpsPerHost: sftp, kex: KEX });
  } finally {
    await pool.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

for (const n of SIZES) await benchPool(n);
