import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownHostsLine } from '../../test/helpers/sshd.js';
import { cpuGroup, type CpuGroup } from './cgroup.js';
import { VARIANTS, makeHost, makeShared, type FleetHost, type FleetShared, type Variant } from './hosts.js';
import { BASELINE_ARGS, JOB_USER, startJobs } from './jobs.js';

export interface Fleet {
  shared: FleetShared;
  hosts: FleetHost[];
  knownHosts: string;
  /** runner's inventories (runner_config per host, per variant) and Ansible's (the playbook's host vars) */
  runnerInventory: Record<Variant, string>;
  ansibleInventory: string;
  /** address:port per line, for parallel-ssh */
  psshHosts: string;
  /** the CPU of every sshd and all its sessions: everything run on the hosts */
  hostsCpu: CpuGroup | undefined;
  /** the CPU of the central hg and git servers and their forks */
  remotesCpu: CpuGroup | undefined;
  /** waits until no sshd has a child left: every session of the last run has ended */
  settle: () => Promise<void>;
  stop: () => Promise<void>;
}

/** N hosts on 127.0.0.(first+i), the stray processes, and every file the three sides need. */
export async function startFleet(n: number, first: number): Promise<Fleet> {
  const root = mkdtempSync(join(tmpdir(), `runner-bench-fleet-${n}-`));
  const jobs = startJobs();
  const hosts: FleetHost[] = [];
  const hostsCpu = cpuGroup(`hosts-${n}`);
  const remotesCpu = cpuGroup(`remotes-${n}`);
  let shared: FleetShared | undefined;
  const stop = async () => {
    jobs.stop();
    await Promise.all([...hosts.map((h) => h.sshd.stop()), shared?.remotes.stop()]);
    await Promise.all([removeGroup(hostsCpu), removeGroup(remotesCpu)]);
    rmSync(root, { recursive: true, force: true });
  };
  // an interrupted bench still stops what it started, by pid
  const onSignal = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    shared = await makeShared(root, { user: JOB_USER, uid: jobs.uid }, BASELINE_ARGS);
    for (const pid of shared.remotes.pids) remotesCpu?.join(pid);
    for (let i = 0; i < n; i++) {
      const host = await makeHost(shared, i, `127.0.0.${first + i}`);
      hostsCpu?.join(host.sshd.proc.pid as number);
      hosts.push(host);
    }
    // the strays must be older than the check's min_age (5s) before anyone looks
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, jobs.startedAt + 6000 - Date.now())));
    return {
      shared,
      hosts,
      ...writeFiles(root, shared, hosts),
      hostsCpu,
      remotesCpu,
      settle: settler(hosts),
      stop: async () => {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function writeFiles(root: string, shared: FleetShared, hosts: readonly FleetHost[]) {
  const knownHosts = join(root, 'known_hosts');
  writeFileSync(knownHosts, `${hosts.map((h) => knownHostsLine(h.sshd)).join('\n')}\n`);
  const login = `ansible_user=${shared.client.user}\nansible_ssh_private_key_file=${shared.client.key}\n`;
  const runnerInventory = { all: join(root, 'runner.ini'), 'no-tools': join(root, 'runner-no-tools.ini') };
  for (const variant of VARIANTS) {
    const rows = hosts.map(
      (h) => `${h.name} ansible_host=${h.sshd.address} ansible_port=${h.sshd.port} runner_config=${h.config[variant]}`,
    );
    writeFileSync(runnerInventory[variant], `[pool]\n${rows.join('\n')}\n[pool:vars]\n${login}`);
  }
  const ansibleInventory = join(root, 'ansible.ini');
  const vars = (h: FleetHost) =>
    Object.entries(h.vars)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  const arows = hosts.map((h) => `${h.name} ansible_host=${h.sshd.address} ansible_port=${h.sshd.port} ${vars(h)}`);
  writeFileSync(
    ansibleInventory,
    `[pool]\n${arows.join('\n')}\n[pool:vars]\n${login}ansible_python_interpreter=/usr/bin/python3\n`,
  );
  const psshHosts = join(root, 'pssh-hosts');
  writeFileSync(psshHosts, `${hosts.map((h) => `${h.sshd.address}:${h.sshd.port}`).join('\n')}\n`);
  return { knownHosts, runnerInventory, ansibleInventory, psshHosts };
}

/** Waits until no sshd has a child left: every session of the last run has ended. */
function settler(hosts: readonly FleetHost[]): () => Promise<void> {
  return async () => {
    for (let i = 0; i < 200 && hosts.some((h) => childrenOf(h.sshd.proc.pid as number) !== ''); i++)
      await new Promise((r) => setTimeout(r, 25));
  };
}

function childrenOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** rmdir of a cgroup fails while a process is still in it: the last sessions may take a moment to go. */
export async function removeGroup(group: CpuGroup | undefined): Promise<void> {
  for (let i = 0; group && i < 100; i++) {
    try {
      return group.remove();
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  if (group) console.warn(`warning: could not remove cgroup ${group.procs}`);
}
