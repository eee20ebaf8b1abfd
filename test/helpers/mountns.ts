import { readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type Options } from 'execa';

/**
 * A mount namespace of its own (`unshare --mount`, private propagation): a tmpfs mounted there over a system
 * dir (say /var/cache/puppet) is what every command run in it sees, while the machine's stays untouched.
 * Closing it ends its one process, and the mounts go with the namespace.
 */
export class MountNamespace {
  private constructor(
    readonly pid: number,
    private readonly holder: { kill(sig: NodeJS.Signals): boolean },
  ) {}

  static async start(): Promise<MountNamespace> {
    const child = execa('unshare', ['--mount', '--propagation', 'private', 'sleep', 'infinity'], { reject: false });
    const pid = child.pid as number;
    const own = readlinkSync('/proc/self/ns/mnt');
    for (let i = 0; i < 200; i++) {
      if (nsOf(pid) && nsOf(pid) !== own) return new MountNamespace(pid, child);
      await sleep(25);
    }
    child.kill('SIGKILL');
    throw new Error('unshare did not start a mount namespace (needs root and util-linux)');
  }

  /** Runs argv in the namespace and waits for it; throws when it exits non-zero unless `reject: false`. */
  async exec(argv: readonly string[], opts: Options = {}) {
    return execa('nsenter', ['-t', String(this.pid), '-m', '--', ...argv], opts);
  }

  async mountTmpfs(dir: string): Promise<void> {
    await this.exec(['mount', '-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir]);
  }

  /** `file` seen at `target` inside the namespace only. */
  async bind(file: string, target: string): Promise<void> {
    await this.exec(['mount', '--bind', file, target]);
  }

  close(): void {
    this.holder.kill('SIGKILL');
  }
}

function nsOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}
