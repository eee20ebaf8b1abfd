import { describe, expect, it } from 'vitest';
import { ProcessesOptions, type Stray } from '../../src/checks/processes/schema.js';
import type { CommandResult, Host } from '../../src/core/types.js';
import { processes } from '../../src/remediations/processes.js';
import { SIGNAL_SCRIPT } from '../../src/remediations/processes-signal.js';
import { testContext } from '../helpers/context.js';

// A scripted host, for what no real process can be made to do on demand (survive SIGKILL in D state) and for
// races (a pid reused between probe and apply). The real thing is in test/integration/processes.spec.ts and
// test/faults/hostile-processes.spec.ts; the signal script itself runs there.
const ctx = testContext('apply');
const opts = ProcessesOptions.parse({ users: ['cltbld'], grace: '0s' });

interface Row {
  pid: number;
  ppid: number;
  pgid: number;
  uid: number;
  start: number;
  stat: string;
  args: string;
}
const row = (pid: number, args: string, more: Partial<Row> = {}): Row => ({
  pid,
  ppid: 1,
  pgid: pid,
  uid: 1001,
  start: 5000,
  stat: 'S',
  args,
  ...more,
});

class ScriptedHost implements Partial<Host> {
  readonly name = 'scripted';
  /** each signal round: the signal, then its words */
  readonly rounds: string[][] = [];
  /** `dies`: the processes are gone once signalled */
  constructor(
    private rows: Row[],
    private readonly dies = false,
  ) {}
  async run(file: string, args: readonly string[] = []): Promise<CommandResult> {
    const ok = (stdout: string) => ({ exitCode: 0, stdout, stderr: '', timedOut: false });
    if (args[1] !== SIGNAL_SCRIPT) return ok(this.snapshot());
    const [sig, ...words] = args.slice(3) as [string, ...string[]];
    if (sig !== '-') this.rounds.push([sig, ...words]);
    const out = words.flatMap((w) => this.answer(sig, w));
    if (sig !== '-' && this.dies) this.rows = [];
    return ok(out.join('\n'));
  }
  /** What the signal script says (the real one runs in the integration tests): the group case as a whole only. */
  private answer(sig: string, word: string): string[] {
    if (word.includes('=')) return [`group ${word.split('=')[0]}`];
    const [pid, start] = word.split(':').map(Number);
    const r = this.rows.find((x) => x.pid === pid);
    if (!r) return [`gone ${pid}`];
    if (r.start !== start) return [`moved ${pid} ${r.start}`];
    return [sig === '-' ? `alive ${pid} ${r.stat}` : `sent ${pid}`];
  }
  private snapshot(): string {
    const rows = [...this.rows, row(999, 'sh -c probe', { uid: 0, stat: 'R' })];
    const stat = rows
      .map((r) => `/proc/${r.pid}/stat\0${r.pid} (x) ${r.stat} 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${r.start} 0\n`)
      .join('');
    const ps = rows.map((r) => ` ${r.pid} ${r.ppid} ${r.pgid} ${r.pgid} ${r.uid} 100 ${r.stat} ${r.args}\n`).join('');
    return `999\n\0\0${stat}\0\0${ps}\0\0real\0`;
  }
}

function stray(pid: number, args: string, more: Partial<Stray> = {}): Stray {
  return {
    pid,
    ppid: 1,
    pgid: pid,
    uid: 1001,
    user: 'cltbld',
    ageS: 100,
    stat: 'S',
    args,
    wholeGroup: false,
    start: 5000,
    ...more,
  };
}

describe('remediations/processes', () => {
  it('reports a process that survives SIGKILL (D state) as a failure naming it', async () => {
    const host = new ScriptedHost([row(500, 'cat /mnt/nfs/stuck', { stat: 'D' })]);
    const plan = { action: 'kill' as const, baseline: '/b', strays: [stray(500, 'cat /mnt/nfs/stuck')], groups: [] };
    await expect(processes.apply(host as unknown as Host, plan, opts, ctx)).rejects.toThrow(
      'killed 0 processes (0 on SIGTERM); 1 survived SIGKILL: 500 (D, cltbld: cat /mnt/nfs/stuck)',
    );
    expect(host.rounds).toEqual([
      ['TERM', '500:5000'],
      ['KILL', '500:5000'],
    ]);
  });

  it('never signals a pid reused since the probe (another start time or command line), and says so', async () => {
    const host = new ScriptedHost([row(500, 'sleep 5', { start: 7000 }), row(501, 'make')]);
    const plan = {
      action: 'kill' as const,
      baseline: '/b',
      strays: [stray(500, 'sleep 5'), stray(501, 'cc -c x.c')],
      groups: [],
    };
    expect(await processes.apply(host as unknown as Host, plan, opts, ctx)).toBe(
      'nothing to kill: the stray processes had already exited; left alone 2 whose pid is another process since the probe: 500, 501',
    );
    expect(host.rounds).toEqual([]);
  });

  it('signals a planned group one by one when a process that is not stray joined it since the probe', async () => {
    const host = new ScriptedHost(
      [row(600, 'sh -c build'), row(601, 'sudo make install', { ppid: 600, pgid: 600, uid: 0 })],
      true,
    );
    const plan = {
      action: 'kill' as const,
      baseline: '/b',
      strays: [stray(600, 'sh -c build', { wholeGroup: true })],
      groups: [600],
    };
    expect(await processes.apply(host as unknown as Host, plan, opts, ctx)).toBe('killed 1 processes (1 on SIGTERM)');
    expect(host.rounds).toEqual([['TERM', '600:5000']]);
  });

  it('signals a whole stray group as a group with its pinned members, and continues stopped processes', async () => {
    const host = new ScriptedHost(
      [row(700, 'sh -c build'), row(701, 'cc', { ppid: 700, pgid: 700, stat: 'T', start: 5001 })],
      true,
    );
    const strays = [
      stray(700, 'sh -c build', { wholeGroup: true }),
      stray(701, 'cc', { ppid: 700, pgid: 700, wholeGroup: true, start: 5001 }),
    ];
    expect(
      await processes.apply(
        host as unknown as Host,
        { action: 'kill', baseline: '/b', strays, groups: [700] },
        opts,
        ctx,
      ),
    ).toBe('killed 2 processes (2 on SIGTERM, 1 process group as a whole)');
    expect(host.rounds).toEqual([
      ['TERM', '700=700:5000,701:5001'],
      ['CONT', '701:5001'],
    ]);
  });
});
