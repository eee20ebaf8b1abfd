import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processes } from '../../src/checks/processes/index.js';
import { ProcessesOptions } from '../../src/checks/processes/schema.js';
import { applySaved, differences, probeAll, savedPlans } from '../../src/core/exact-plan.js';
import type { PlanFile } from '../../src/core/plan-file.js';
import { runCheck } from '../../src/core/run-check.js';
import { processes as fix } from '../../src/remediations/processes.js';
import { testContext } from '../helpers/context.js';
import { alive, PidNamespace } from '../helpers/pidns.js';
import { sandbox } from '../helpers/tmp.js';
import { ensureUser } from '../helpers/users.js';

// Exact plans of the processes check, in a pid namespace of this file's own (nothing outside can be signalled):
// a plan names pids with their start times; a stray that exited and whose pid was reused must be refused.
const BUILD = 'rtest-build';
const TRIALS = Number(process.env.PLAN_PROC_TRIALS ?? 12);
const SEED = Number(process.env.PLAN_SEED ?? Date.now() % 100_000);
const root = sandbox();
let ns: PidNamespace;
let build: { uid: number; gid: number };
const MUTATIONS = ['none', 'pid-reused', 'exited', 'new-stray'] as const;

beforeAll(async () => {
  build = ensureUser(BUILD);
  chmodSync(root, 0o755);
  ns = await PidNamespace.start();
});
afterAll(() => ns?.close());

const entry = {
  check: processes,
  remediation: fix,
  options: ProcessesOptions.parse({ users: [BUILD], min_age: '0s', grace: '1s', baseline: join(root, 'baseline') }),
};

async function stray(lastPid?: number): Promise<number> {
  const pin = lastPid === undefined ? '' : `echo ${lastPid - 1} > /proc/sys/kernel/ns_last_pid; `;
  const r = await ns.exec([
    'sh',
    '-c',
    `${pin}setpriv --reuid=${build.uid} --regid=${build.gid} --clear-groups sleep 1001 </dev/null >/dev/null 2>&1 & echo $!`,
  ]);
  const pid = Number(r.stdout.trim());
  if (!Number.isInteger(pid) || pid < 2) throw new Error(`spawning a stray: ${r.stderr}`);
  await ns.until((m) => m.get(pid)?.args.startsWith('sleep 1001') === true, `stray ${pid}`);
  return pid;
}

async function gone(pid: number): Promise<void> {
  await ns.exec(['kill', '-KILL', String(pid)]);
  await ns.until((m) => !m.has(pid), `pid ${pid} reaped`);
}

function plan(checks: PlanFile['checks']): PlanFile {
  return {
    version: 1,
    runner: 'x',
    host: { machineId: 'x', hostname: 'x' },
    config: '',
    configHash: '',
    createdAt: '',
    probed: ['processes'],
    checks,
  };
}

describe('exact plans of processes', () => {
  it(`${TRIALS} seeded trials (seed ${SEED}): a reused pid, an exited or a new stray is refused; else exactly the planned pids die`, async () => {
    const ctx = testContext('apply');
    const host = ns.host();
    expect((await runCheck(host, entry, ctx)).status).toMatch(/changed|ok/); // the baseline: nothing of BUILD runs
    let seed = SEED;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let refused = 0;
    for (let t = 0; t < TRIALS; t++) {
      const pids = [await stray(), await stray()];
      const made = await runCheck(host, entry, testContext('check'));
      expect(made.status).toBe('drift');
      const saved = plan(savedPlans([entry], [made]));
      const m = MUTATIONS[Math.floor(next() * MUTATIONS.length)] as (typeof MUTATIONS)[number];
      const victim = pids[Math.floor(next() * 2)] as number;
      let extra: number | undefined;
      if (m === 'pid-reused') {
        await gone(victim);
        await sleep(30); // another start time: clock ticks are 10 ms
        expect(await stray(victim)).toBe(victim);
      }
      if (m === 'exited') await gone(victim);
      if (m === 'new-stray') extra = await stray();
      const before = alive(await ns.processes(), [...pids, ...(extra ? [extra] : [])]);
      const probed = await probeAll(host, [entry], ctx);
      const changed = differences(saved, probed);
      const what = `trial ${t} (seed ${SEED}), ${m}: ${changed.join('; ')}`;
      if (m === 'none') {
        expect(changed, what).toEqual([]);
        const [r] = await applySaved(host, probed, saved, ctx);
        expect(r?.status, `${what}: ${r?.summary}`).toBe('changed');
        expect(alive(await ns.processes(), pids), what).toEqual([]);
        expect((await runCheck(host, entry, testContext('check'))).status).toBe('ok');
      } else {
        refused++;
        expect(changed.length, what).toBeGreaterThan(0);
        expect(changed.join('\n'), what).toMatch(
          m === 'pid-reused' ? new RegExp(`pid ${victim}: start \\d+ → \\d+`) : /pid \d+/,
        );
        expect(alive(await ns.processes(), before), what).toEqual(before);
        for (const pid of before) await gone(pid);
      }
    }
    process.stderr.write(`exact plans (processes): ${TRIALS} trials, ${refused} refused (seed ${SEED})\n`);
  }, 300_000);
});
