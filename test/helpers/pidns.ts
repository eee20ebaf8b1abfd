import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { parsePs, PS_FIELDS } from '../../src/checks/processes/parse.js';
import type { Proc } from '../../src/checks/processes/schema.js';
import type { CommandResult, RunOptions } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';

// pid 1 of the namespace: reaps orphans (as init does), so killed strays do not linger as zombies
const REAPER = '$SIG{TERM} = sub { exit 0 }; while (1) { sleep 1 if wait() == -1 }';

/**
 * A pid namespace of its own (`unshare -p -f --mount-proc`): processes spawned in it and every command its host
 * runs (ps, kill) see only each other, so a check run there can never signal anything outside. Closing it kills all.
 */
export class PidNamespace {
  private constructor(
    readonly init: number,
    private readonly unshare: { kill(sig: NodeJS.Signals): boolean },
  ) {}

  static async start(): Promise<PidNamespace> {
    const child = execa('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', 'perl', '-e', REAPER], {
      reject: false,
    });
    const pid = child.pid as number;
    for (let i = 0; i < 200; i++) {
      const kids = readChildren(pid);
      if (kids[0]) return new PidNamespace(kids[0], child);
      await sleep(25);
    }
    child.kill('SIGKILL');
    throw new Error('unshare did not start a pid namespace (needs root and util-linux)');
  }

  /** A LocalHost whose commands run inside the namespace (and its /proc). */
  host(name = 'pidns'): LocalHost {
    const init = this.init;
    return new (class extends LocalHost {
      override run(file: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<CommandResult> {
        return super.run('nsenter', ['-t', String(init), '-p', '-m', '--', file, ...args], opts);
      }
    })(name);
  }

  /** Runs argv as `user` in the background inside the namespace (orphaned to its init, like a job's leftover); its pid there. */
  async spawn(user: string, argv: readonly string[]): Promise<number> {
    const r = await this.exec([
      'runuser',
      '-u',
      user,
      '--',
      'sh',
      '-c',
      '"$@" </dev/null >/dev/null 2>&1 & echo $!',
      'sh',
      ...argv,
    ]);
    const pid = Number(r.stdout.trim());
    if (!Number.isInteger(pid) || pid < 2) throw new Error(`spawn ${argv.join(' ')}: ${r.stderr || r.stdout}`);
    return pid;
  }

  /** Runs argv inside the namespace and waits for it. */
  async exec(argv: readonly string[], opts: { input?: string } = {}) {
    return execa('nsenter', ['-t', String(this.init), '-p', '-m', '--', ...argv], { reject: false, ...opts });
  }

  /** The namespace's processes by pid (zombies included). */
  async processes(): Promise<Map<number, Proc>> {
    const r = await this.exec(['ps', '-ww', '-eo', PS_FIELDS]);
    return new Map(parsePs(r.stdout).map((p) => [p.pid, p]));
  }

  /** Waits until `ready` holds for the namespace's processes (e.g. every child of a spawned tree is up). */
  async until(
    ready: (procs: Map<number, Proc>) => boolean,
    what: string,
    timeoutMs = 20_000,
  ): Promise<Map<number, Proc>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const procs = await this.processes();
      if (ready(procs)) return procs;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }

  close(): void {
    // SIGKILL to a namespace's init kills every process in it; unshare (waiting for it) keeps its pid from reuse until then
    try {
      process.kill(this.init, 'SIGKILL');
    } finally {
      this.unshare.kill('SIGKILL');
    }
  }
}

function readChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Live (not zombie) pids among `pids`. */
export function alive(procs: Map<number, Proc>, pids: readonly number[]): number[] {
  return pids.filter((pid) => {
    const p = procs.get(pid);
    return p !== undefined && !p.stat.startsWith('Z');
  });
}
