import { describe, expect, it } from 'vitest';
import { SNAPSHOT_SEPARATOR } from '../../src/checks/processes/parse.js';
import { ProcessesOptions, type Stray } from '../../src/checks/processes/schema.js';
import type { CommandResult, Host } from '../../src/core/types.js';
import { processes } from '../../src/remediations/processes.js';
import { testContext } from '../helpers/context.js';

// A scripted host, for what no real process can be made to do on demand (survive SIGKILL in D state) and for
// races (a pid reused between probe and apply). The real thing is in test/integration/processes.spec.ts.
const NOW = Date.parse('2026-01-01T00:00:00Z');
const ctx = testContext('apply', () => new Date(NOW));
const opts = ProcessesOptions.parse({ users: ['cltbld'], grace: '0s' });

class ScriptedHost implements Partial<Host> {
  readonly name = 'scripted';
  readonly calls: string[][] = [];
  /** `dies`: the processes are gone once signalled */
  constructor(private ps: string, private readonly dies = false) {}
  async run(file: string, args: readonly string[] = []): Promise<CommandResult> {
    this.calls.push([file, ...args]);
    const stdout = file === 'sh' ? `999\n${SNAPSHOT_SEPARATOR}\n${this.ps}  999   1   999   999    0   0 R    ps\n` : file === 'ps' ? this.ps : '';
    if (file === 'kill' && this.dies) this.ps = '';
    return { exitCode: 0, stdout, stderr: '', timedOut: false };
  }
}

function stray(pid: number, args: string, more: Partial<Stray> = {}): Stray {
  return { pid, ppid: 1, pgid: pid, uid: 1001, user: 'cltbld', ageS: 100, stat: 'S', args, wholeGroup: false, startedAtMs: NOW - 100_000, ...more };
}

const kills = (host: ScriptedHost) => host.calls.filter((c) => c[0] === 'kill');

describe('remediations/processes', () => {
  it('reports a process that survives SIGKILL (D state) as a failure naming it', async () => {
    const host = new ScriptedHost('  500     1   500   500 1001   100 D    cat /mnt/nfs/stuck\n');
    const plan = { action: 'kill' as const, baseline: '/b', strays: [stray(500, 'cat /mnt/nfs/stuck')], groups: [] };
    await expect(processes.apply(host as unknown as Host, plan, opts, ctx)).rejects.toThrow(
      'killed 0 processes (0 on SIGTERM); 1 survived SIGKILL: 500 (D, cltbld: cat /mnt/nfs/stuck)',
    );
    expect(kills(host)).toEqual([['kill', '-TERM', '--', '500'], ['kill', '-KILL', '--', '500']]);
  });

  it('never signals a pid reused since the probe (another command line or start time)', async () => {
    const host = new ScriptedHost('  500     1   500   500 1001     2 S    sleep 5\n  501     1   501   501 1001     2 S    make\n');
    const plan = { action: 'kill' as const, baseline: '/b', strays: [stray(500, 'sleep 5'), stray(501, 'cc -c x.c')], groups: [] };
    expect(await processes.apply(host as unknown as Host, plan, opts, ctx)).toBe('nothing to kill: the stray processes had already exited');
    expect(kills(host)).toEqual([]);
  });

  it('signals a planned group one by one when a process that is not stray joined it since the probe', async () => {
    const host = new ScriptedHost('  600     1   600   600 1001   100 S    sh -c build\n  601   600   600   600    0     1 S    sudo make install\n', true);
    const plan = { action: 'kill' as const, baseline: '/b', strays: [stray(600, 'sh -c build', { wholeGroup: true })], groups: [600] };
    expect(await processes.apply(host as unknown as Host, plan, opts, ctx)).toBe('killed 1 processes (1 on SIGTERM)');
    expect(kills(host)).toEqual([['kill', '-TERM', '--', '600']]);
  });

  it('signals a whole stray group as a group, and continues stopped processes so they act on SIGTERM', async () => {
    const host = new ScriptedHost('  700     1   700   700 1001   100 S    sh -c build\n  701   700   700   700 1001   100 T    cc\n', true);
    const strays = [stray(700, 'sh -c build', { wholeGroup: true, pgid: 700 }), stray(701, 'cc', { ppid: 700, pgid: 700, wholeGroup: true })];
    expect(await processes.apply(host as unknown as Host, { action: 'kill', baseline: '/b', strays, groups: [700] }, opts, ctx)).toBe(
      'killed 2 processes (2 on SIGTERM, 1 process group as a whole)',
    );
    expect(kills(host)).toEqual([['kill', '-TERM', '--', '-700'], ['kill', '-CONT', '--', '701']]);
  });
});
