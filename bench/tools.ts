import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeToolsCheckouts, makeToolsSources } from '../fixtures/tools.js';
import { puppet } from '../src/checks/puppet/index.js';
import { PuppetOptions } from '../src/checks/puppet/schema.js';
import { tools } from '../src/checks/tools/index.js';
import { ToolsOptions } from '../src/checks/tools/schema.js';
import { runMemo } from '../src/core/memo.js';
import type { Check, Context } from '../src/core/types.js';
import { LocalHost } from '../src/host/local.js';
import { cpuMs, fmt, record, stat } from './lib.js';

// The tools probe of 2 hg + 2 git up-to-date checkouts (one probe: local facts and remote look-ups, all of
// them), and the puppet probe reading a summary (no puppet run; goal ≤ 20 ms). Wall time is at the mercy of
// the machine's load; CPU ms per run (this process and the hg/git/sh it starts) is not.
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const host = new LocalHost();
const ctx: Context = {
  mode: 'check',
  now: () => new Date(),
  signal: new AbortController().signal,
  log: () => {},
  fetchText: async () => '',
  once: runMemo(),
};

async function measure(
  key: string,
  label: string,
  check: Check<any, any>,
  opts: unknown,
  runs: number,
  goalMs?: number,
): Promise<void> {
  await check.probe(host, opts, ctx); // warm-up (page cache); the fixture has hg record its files clean already
  const wall: number[] = [];
  const cpu0 = cpuMs();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const finding = await check.probe(host, opts, ctx);
    wall.push(performance.now() - t);
    if (finding.state !== 'ok') throw new Error(`${check.id} is not ok: ${finding.summary}`);
  }
  const cpuMsPerRun = Math.round(((cpuMs() - cpu0) / runs) * 10) / 10;
  console.log(`${label.padEnd(44)} ${fmt(stat(wall))};  CPU ${cpuMsPerRun} ms/run`);
  record(key, { wallMs: stat(wall), cpuMsPerRun, ...(goalMs ? { goalMs } : {}) });
}

const root = mkdtempSync(join(tmpdir(), 'runner-bench-tools-'));
try {
  const checkouts = makeToolsCheckouts(root, makeToolsSources(root), { perVcs: 2 });
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`tools and puppet probes; ${RUNS} runs each; load ${load}`);
  await measure(
    'tools.probe',
    'tools, 2 hg + 2 git checkouts up to date',
    tools,
    ToolsOptions.parse({ checkouts }),
    RUNS,
  );
  for (const vcs of ['hg', 'git'] as const) {
    const only = ToolsOptions.parse({ checkouts: checkouts.filter((c) => c.vcs === vcs) });
    await measure(`tools.probe.${vcs}`, `  the 2 ${vcs} checkouts alone`, tools, only, RUNS);
  }
  // pinned to the revision they are at: no remote look-up, so only the local facts (and, for hg, no hg at all)
  const pinned = checkouts
    .filter((c) => c.vcs === 'hg')
    .map((c) => ({
      ...c,
      revision: execFileSync('hg', ['log', '-r', '.', '-T', '{node}'], { cwd: c.path }).toString(),
    }));
  await measure(
    'tools.probe.hg.pinned',
    '  the 2 hg checkouts pinned (local facts only)',
    tools,
    ToolsOptions.parse({ checkouts: pinned }),
    RUNS,
  );

  const state = join(root, 'puppet');
  mkdirSync(state);
  const fixture = fileURLToPath(new URL('../../fixtures/puppet/summary-converged.yaml', import.meta.url));
  const summary = readFileSync(fixture, 'utf8').replace(/last_run: \d+/, `last_run: ${Math.floor(Date.now() / 1000)}`);
  writeFileSync(join(state, 'last_run_summary.yaml'), summary);
  const opts = PuppetOptions.parse({
    summary: join(state, 'last_run_summary.yaml'),
    lock: join(state, 'agent_disabled.lock'),
  });
  await measure('puppet.probe', 'puppet, summary only (no puppet run)', puppet, opts, RUNS * 4, 20);
} finally {
  rmSync(root, { recursive: true, force: true });
}
