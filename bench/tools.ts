import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeToolsCheckouts, makeToolsSources } from '../fixtures/tools.js';
import { puppet } from '../src/checks/puppet/index.js';
import { PuppetOptions } from '../src/checks/puppet/schema.js';
import { tools } from '../src/checks/tools/index.js';
import { ToolsOptions } from '../src/checks/tools/schema.js';
import type { Check, Context } from '../src/core/types.js';
import { cachedFetch } from '../src/host/http.js';
import { LocalHost } from '../src/host/local.js';

// `node dist/bench/tools.js`: the tools check of 2 hg + 2 git up-to-date checkouts (wall time of one probe,
// remote look-ups included), and the puppet check reading a summary (no puppet run; goal ≤ 20 ms).
const RUNS = Number(process.env.RUNS ?? 7);
const host = new LocalHost();
const ctx: Context = { mode: 'check', now: () => new Date(), signal: new AbortController().signal, log: () => {}, fetchText: cachedFetch() };

async function time(check: Check<any, any>, opts: unknown, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const finding = await check.probe(host, opts, ctx);
    out.push(performance.now() - started);
    if (finding.state !== 'ok') throw new Error(`${check.id} is not ok: ${finding.summary}`);
  }
  return out.sort((a, b) => a - b);
}

function describe(label: string, ms: number[]): string {
  const median = ms[Math.floor(ms.length / 2)] as number;
  return `${label}: median ${median.toFixed(1)} ms, min ${(ms[0] as number).toFixed(1)} ms, max ${(ms.at(-1) as number).toFixed(1)} ms (${ms.length} runs)`;
}

const root = mkdtempSync(join(tmpdir(), 'runner-bench-tools-'));
try {
  const checkouts = makeToolsCheckouts(root, makeToolsSources(root), { perVcs: 2 });
  const toolsOpts = ToolsOptions.parse({ checkouts });
  await time(tools, toolsOpts, 1); // hg records the files it found clean on its first read of a fresh clone
  console.log(describe('tools check, 2 hg + 2 git checkouts up to date', await time(tools, toolsOpts, RUNS)));
  for (const vcs of ['hg', 'git'] as const) {
    const only = ToolsOptions.parse({ checkouts: checkouts.filter((c) => c.vcs === vcs) });
    console.log(describe(`  of which 2 ${vcs} alone`, await time(tools, only, RUNS)));
  }

  const state = join(root, 'puppet');
  mkdirSync(state);
  const fixture = fileURLToPath(new URL('../../fixtures/puppet/summary-converged.yaml', import.meta.url));
  const summary = readFileSync(fixture, 'utf8').replace(/last_run: \d+/, `last_run: ${Math.floor(Date.now() / 1000)}`);
  writeFileSync(join(state, 'last_run_summary.yaml'), summary);
  const puppetOpts = PuppetOptions.parse({ summary: join(state, 'last_run_summary.yaml'), lock: join(state, 'agent_disabled.lock') });
  await time(puppet, puppetOpts, 3);
  console.log(describe('puppet check, summary only (no puppet run)', await time(puppet, puppetOpts, RUNS * 3)));
  console.log(`load average while measuring: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine's cores`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
