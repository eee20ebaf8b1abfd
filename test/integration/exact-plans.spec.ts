import { appendFileSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runner } from '../helpers/cli.js';
import { mountTmpfs } from '../helpers/mount.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree, listTree } from '../helpers/tree.js';

// Property-style trials on a real tree on a small tmpfs (so free space can be moved on purpose): make a plan
// with `runner check --plan-out`, change the host in one random way or not at all, then `runner apply --plan`.
const TRIALS = Number(process.env.PLAN_TRIALS ?? 40);
const SEED = Number(process.env.PLAN_SEED ?? Date.now() % 100_000);
const root = sandbox('runner-plans-');
const fs = join(root, 'fs');
const base = join(fs, 'builds');
const decoys = join(root, 'decoys');
const cfg = join(root, 'runner.yaml');
const planFile = join(root, 'plan.json');
const OLD = (Date.now() - 20 * 86_400_000) / 1000;

const MUTATIONS = ['none', 'touch', 'replace', 'grow', 'delete', 'new-old-dir', 'free-space', 'config'] as const;
type Mutation = (typeof MUTATIONS)[number];

const mounted = mountTmpfs(fs, '32m');

beforeAll(() => {
  if (!mounted) throw new Error('exact plans: a tmpfs is needed (run as root)');
  mkdirSync(decoys, { recursive: true });
  writeFileSync(join(decoys, 'keep-me'), 'root-owned decoy outside the base dir\n');
});

/** A small deterministic generator (mulberry32), so a failing seed replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function oldDir(name: string, bytes: number): void {
  const d = join(base, name);
  mkdirSync(d);
  writeFileSync(join(d, 'f'), Buffer.alloc(bytes, 7));
  utimesSync(d, OLD, OLD);
}

function freshTree(r: () => number): void {
  rmSync(base, { recursive: true, force: true });
  rmSync(join(fs, 'filler'), { force: true });
  mkdirSync(base);
  const n = 3 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) oldDir(`old-${i}`, 4096 * (1 + Math.floor(r() * 64)));
  mkdirSync(join(base, 'young'));
  writeFileSync(cfg, `checks:\n  - purge: { dirs: [${base}], max_age: 14d }\n`);
}

function mutate(m: Mutation, planned: string[], r: () => number): void {
  const victim = join(base, planned[Math.floor(r() * planned.length)] as string);
  if (m === 'touch') utimesSync(victim, OLD + 60, OLD + 60);
  if (m === 'replace') {
    rmSync(victim, { recursive: true });
    mkdirSync(victim);
    writeFileSync(join(victim, 'f'), 'x');
    utimesSync(victim, OLD, OLD);
  }
  if (m === 'grow') {
    writeFileSync(join(victim, 'more'), Buffer.alloc(64 * 1024, 1));
    utimesSync(victim, OLD, OLD); // only the size moves: the dir's mtime is put back
  }
  if (m === 'delete') rmSync(victim, { recursive: true });
  if (m === 'new-old-dir') oldDir('late-old', 4096);
  if (m === 'free-space') writeFileSync(join(fs, 'filler'), Buffer.alloc(8 * 1024 * 1024, 1)); // past ±1 MiB
  if (m === 'config') appendFileSync(cfg, '# edited after the plan\n');
}

describe('runner apply --plan: exactly the reviewed plan, or nothing', () => {
  it(`${TRIALS} seeded trials (seed ${SEED}): every changed host is refused untouched, every unchanged one applies exactly the plan`, async () => {
    const r = rng(SEED);
    const tally = { trials: 0, refused: 0 };
    for (let t = 0; t < TRIALS; t++) {
      freshTree(r);
      const made = await runner(['check', '-c', cfg, '--plan-out', planFile]);
      expect(made.code, made.stderr).toBe(2);
      const plan = JSON.parse(readFileSync(planFile, 'utf8'));
      const planned: string[] = plan.checks[0].plan.delete.map((i: { name: string }) => i.name);
      expect(planned.length).toBeGreaterThan(0);
      // a third unchanged, so that the applying side is tried as often as the refusing one is, per kind
      const m = r() < 1 / 3 ? 'none' : (MUTATIONS[1 + Math.floor(r() * (MUTATIONS.length - 1))] as Mutation);
      mutate(m, planned, r);
      const before = { tree: hashTree(base), decoys: hashTree(decoys), list: listTree(base, 1) };
      const applied = await runner(['apply', '-c', cfg, '--plan', planFile]);
      const what = `trial ${t} (seed ${SEED}), ${m}: ${applied.stderr}`;
      tally.trials++;
      if (m !== 'none') {
        tally.refused++;
        expect(applied.code, what).toBe(1);
        expect(applied.stderr, what).toMatch(
          m === 'config' ? /made with another config/ : /the host changed since the plan was made/,
        );
        expect(hashTree(base), what).toBe(before.tree);
      } else {
        expect(applied.code, what).toBe(2);
        expect(listTree(base, 1), what).toEqual(before.list.filter((n) => !planned.includes(n)));
        const again = await runner(['check', '-c', cfg]);
        expect(again.code, `${what}; then check: ${again.stdout}`).toBe(0);
      }
      expect(hashTree(decoys), what).toBe(before.decoys);
    }
    process.stderr.write(`exact plans: ${tally.trials} trials, ${tally.refused} refused (seed ${SEED})\n`);
    expect(tally.trials).toBe(TRIALS);
  }, 600_000);
});

describe('runner apply --plan refuses a plan made elsewhere, by another runner, too old or malformed', () => {
  const cases: [string, (p: Record<string, any>) => unknown, RegExp, string[]?][] = [
    ['another host', (p) => (p.host.machineId = 'f'.repeat(32)), /made on another host: machine id f{32}/],
    ['another runner', (p) => (p.runner = '0.0.1-other'), /made by runner 0\.0\.1-other, this is runner /],
    [
      'too old',
      (p) => (p.createdAt = new Date(Date.now() - 7_200_000).toISOString()),
      /older than --max-plan-age \(3600s\)/,
    ],
    [
      'older than --max-plan-age 10m',
      (p) => (p.createdAt = new Date(Date.now() - 1_200_000).toISOString()),
      /older than --max-plan-age \(600s\)/,
      ['--max-plan-age', '10m'],
    ],
    ['another version', (p) => (p.version = 2), /version 2, this runner reads plan version 1/],
    ['malformed', (p) => (p.checks[0].fingerprint = 'x'), /not a plan file: checks\.0\.fingerprint: /],
    ['an unknown field', (p) => (p.extra = 1), /not a plan file: \(top\): Unrecognized key: "extra"/],
    [
      'a plan edited after it was fingerprinted (another dir to delete, the fingerprint left as it was)',
      (p) => (p.checks[0].plan.delete[0].path = `${p.checks[0].plan.delete[0].path}-other`),
      /purge: the plan file's plan and its fingerprint disagree: /,
    ],
  ];
  for (const [what, edit, message, extra] of cases)
    it(`refuses ${what}: exit 1, nothing changed`, async () => {
      freshTree(rng(7));
      expect((await runner(['check', '-c', cfg, '--plan-out', planFile])).code).toBe(2);
      const plan = JSON.parse(readFileSync(planFile, 'utf8'));
      edit(plan);
      writeFileSync(planFile, JSON.stringify(plan));
      const before = hashTree(base);
      const r = await runner(['apply', '-c', cfg, '--plan', planFile, ...(extra ?? [])]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(hashTree(base)).toBe(before);
    });

  it('refuses a plan file that is not JSON, and --plan with --only', async () => {
    writeFileSync(planFile, '{"version": 1,');
    const r = await runner(['apply', '-c', cfg, '--plan', planFile]);
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/--plan .*plan\.json: not JSON: /)]);
    const only = await runner(['apply', '-c', cfg, '--plan', planFile, '--only', 'purge']);
    expect([only.code, only.stderr]).toEqual([
      1,
      expect.stringMatching(/--plan with --only: a plan runs as it was made/),
    ]);
  });
});
