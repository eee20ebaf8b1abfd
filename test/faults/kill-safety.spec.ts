import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Baseline, Proc } from '../../src/checks/processes/schema.js';
import {
  allowRules,
  classify,
  descendants,
  findStrays,
  protectedPids,
  wholeGroups,
} from '../../src/checks/processes/select.js';
import { matchesGlob } from '../../src/core/glob.js';

const SEED = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
const IN_SCOPE = [1001, 1002];
const ALLOW = ['/usr/bin/Xvfb *', '/usr/bin/pulseaudio --start*'];
// the host's view of each allowed program: as written and resolved (Xvfb is a symlink into /usr/lib/xorg)
const EXES = new Map([
  ['/usr/bin/Xvfb', ['/usr/bin/Xvfb', '/usr/lib/xorg/Xvfb']],
  ['/usr/bin/pulseaudio', ['/usr/bin/pulseaudio']],
]);
const ARGS = [
  'sleep 100',
  'make -j8',
  '/usr/bin/Xvfb :2 -screen 0',
  'Xvfb :3',
  'pulseaudio --start',
  '/usr/bin/pulseaudio --kill',
  'python3 build.py',
  'sh -c "a b"',
  'node runner.mjs check',
  'sshd: cltbld@notty',
];
// an exe unread (undefined), the allowed programs, and a spoofer's
const EXE = fc.constantFrom(
  undefined,
  '/usr/bin/Xvfb',
  '/usr/lib/xorg/Xvfb',
  '/usr/bin/pulseaudio',
  '/usr/bin/perl',
  '/usr/bin/Xvfb (deleted)',
);

/** A random process table around runner: pid 1, runner's own ancestry (maybe inside an sshd session), and others. */
const Table = fc.record({
  ancestry: fc.array(fc.record({ uid: fc.constantFrom(0, ...IN_SCOPE), args: fc.constantFrom(...ARGS) }), {
    minLength: 1,
    maxLength: 5,
  }),
  viaSshd: fc.boolean(),
  others: fc.array(
    fc.record({
      parent: fc.nat(),
      uid: fc.constantFrom(0, 1003, ...IN_SCOPE, ...IN_SCOPE),
      args: fc.constantFrom(...ARGS),
      ownGroup: fc.boolean(),
      zombie: fc.boolean(),
      exe: EXE,
      etimes: fc.integer({ min: 0, max: 10_000 }),
    }),
    { maxLength: 40 },
  ),
  protect: fc.array(fc.nat(), { maxLength: 3 }),
  baseline: fc.array(
    fc.record({
      uid: fc.constantFrom(...IN_SCOPE),
      args: fc.constantFrom(...ARGS),
      count: fc.integer({ min: 1, max: 3 }),
    }),
    { maxLength: 5 },
  ),
});
type TableValue = typeof Table extends fc.Arbitrary<infer T> ? T : never;

function build(t: TableValue): { procs: Proc[]; self: number; session?: number; roots: number[] } {
  const procs: Proc[] = [{ pid: 1, ppid: 0, pgid: 1, sid: 1, uid: 0, etimes: 99_999, stat: 'Ss', args: '/sbin/init' }];
  let parent = 1;
  let session: number | undefined;
  if (t.viaSshd) {
    procs.push({ pid: 50, ppid: 1, pgid: 50, sid: 50, uid: 0, etimes: 9_000, stat: 'Ss', args: 'sshd: cltbld [priv]' });
    session = 50;
    parent = 50;
  }
  for (const [i, a] of t.ancestry.entries()) {
    const pid = 100 + i;
    procs.push({ pid, ppid: parent, pgid: 100, sid: 100, uid: a.uid, etimes: 500, stat: 'S', args: a.args });
    parent = pid;
  }
  const self = parent;
  for (const [i, o] of t.others.entries()) {
    const pid = 1000 + i;
    const ppid = (procs[o.parent % procs.length] as Proc).pid;
    const pgid = o.ownGroup ? pid : (procs.find((p) => p.pid === ppid) as Proc).pgid;
    procs.push({
      pid,
      ppid,
      pgid,
      sid: pgid,
      uid: o.uid,
      etimes: o.etimes,
      stat: o.zombie ? 'Z' : 'S',
      args: o.args,
      ...(o.exe ? { exe: o.exe } : {}),
    });
  }
  const roots = t.protect.map((n) => (procs[n % procs.length] as Proc).pid);
  return { procs, self, ...(session ? { session } : {}), roots };
}

describe('faults: kill safety (property-based)', () => {
  it(`never signals pid 1, runner or its ancestors, its SSH session, protected, allowed or out-of-scope processes (seed ${SEED})`, () => {
    fc.assert(
      fc.property(Table, (t) => {
        const { procs, self, session, roots } = build(t);
        const byPid = new Map(procs.map((p) => [p.pid, p]));
        const chain: Proc[] = [];
        for (let p = byPid.get(self); p; p = byPid.get(p.ppid)) chain.push(p);
        // the probe with its children (ps, grep, find); the SSH session is the nearest sshd process above runner: every channel of that connection hangs below it
        const nearest = chain.find((p) => p.args.startsWith('sshd:'))?.pid ?? session;
        const guarded = new Set([
          1,
          ...chain.map((p) => p.pid),
          ...descendants(procs, [self, ...roots]),
          ...(nearest ? descendants(procs, [nearest]) : []),
        ]);
        // allowed: runs the program (as written or resolved) and its arguments match the entry's
        const allowed = (p: Proc) =>
          ALLOW.some((g) => {
            const program = g.split(' ')[0] as string;
            const rest = p.args.includes(' ') ? p.args.slice(p.args.indexOf(' ')) : '';
            return (
              (EXES.get(program) ?? []).includes(p.exe as string) && matchesGlob(program + rest, g, { slash: true })
            );
          });
        const untouchable = (p: Proc) => guarded.has(p.pid) || !IN_SCOPE.includes(p.uid) || allowed(p);

        const view = classify(procs, protectedPids(procs, self, roots), IN_SCOPE, allowRules(ALLOW, EXES));
        // and nothing is left out of the count but what is untouchable
        for (const p of procs)
          if (!p.stat.startsWith('Z') && !untouchable(p))
            expect(view.counted, `${p.pid} ${p.args} ${p.exe}`).toContain(p);
        const baseline: Baseline = { uids: IN_SCOPE, entries: t.baseline };
        const strays = findStrays(view.counted, baseline, 0);
        const groups = wholeGroups(procs, strays);

        for (const s of strays) expect(untouchable(s), `stray ${s.pid} ${s.args} is protected`).toBe(false);
        for (const g of groups) {
          expect(g).toBeGreaterThan(1);
          const members = procs.filter((p) => p.pgid === g && !p.stat.startsWith('Z'));
          for (const m of members) expect(untouchable(m), `group ${g} holds protected ${m.pid}`).toBe(false);
        }
      }),
      { seed: SEED, numRuns: Number(process.env.FAULT_RUNS ?? 2000) },
    );
  });
});
