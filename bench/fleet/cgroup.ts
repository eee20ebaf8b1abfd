import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A cgroup (v2) of our own that counts the CPU of every process in it and of all they fork, reaped or not:
 * sshd's sessions and Ansible's ControlPersist masters escape the CPU times that wait(2) reports.
 */
export interface CpuGroup {
  /** the file a process writes its pid to, to join */
  procs: string;
  join(pid: number): void;
  /** CPU used by the group so far, in ms */
  usageMs(): number;
  remove(): void;
}

function cgroup2Mount(): string | undefined {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '));
  return mounts.find((m) => m[2] === 'cgroup2')?.[1];
}

/** undefined where no cgroup2 hierarchy is writable (then CPU is not reported). */
export function cpuGroup(name: string): CpuGroup | undefined {
  const mount = cgroup2Mount();
  if (!mount) return undefined;
  const dir = join(mount, `runner-bench-${process.pid}-${name}`);
  try {
    mkdirSync(dir);
  } catch {
    return undefined;
  }
  const procs = join(dir, 'cgroup.procs');
  return {
    procs,
    join: (pid) => writeFileSync(procs, `${pid}\n`),
    usageMs: () => Number(/usage_usec (\d+)/.exec(readFileSync(join(dir, 'cpu.stat'), 'utf8'))?.[1]) / 1000,
    remove: () => rmdirSync(dir),
  };
}
