import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeDocument } from '../../src/report/document.js';
import { renderMetrics } from '../../src/report/prometheus.js';
import { renderRunMetrics } from '../../src/report/run-prometheus.js';
import type { RunSnapshot } from '../../src/report/snapshot.js';

const file = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../deploy/prometheus/${name}`, import.meta.url)), 'utf8');

/** Every series name runner writes: the daemon's textfile with everything set, and an audit's. */
function emitted(): Set<string> {
  const at = '2026-11-28T10:00:00Z';
  const snap: RunSnapshot = {
    version: 1,
    pid: 1,
    startedAt: at,
    updatedAt: at,
    iteration: 1,
    state: 'attached',
    since: at,
    phases: { preflight: { startedAt: at, seconds: 1 } },
    outcomes: {},
    disabled: false,
    counters: { iterations: 1, retries: 0, halts: 0 },
    checks: { purge: { phase: 'preflight', iteration: 1, status: 'ok', summary: '', at } },
    lastRun: { phase: 'preflight', at, exitCode: 0 },
    space: [{ dirs: ['/builds'], freeBytes: 1, targetBytes: 2 }],
  };
  const doc = makeDocument('audit', new Date(), [{ host: 'h', results: [] }]);
  const text = renderMetrics(snap) + renderRunMetrics(doc);
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name as string);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
  }
  return names;
}

/** The runner_* series an expression names (recording rules, `runner:…`, have a colon and are not series). */
function runnerNames(expr: string): string[] {
  return [...expr.matchAll(/\b(runner_[a-z_]+)\b/g)].map((m) => m[1] as string);
}

describe('deploy/prometheus: the dashboard and the alerts name only series runner writes', () => {
  const names = emitted();

  it('the Grafana dashboard is JSON, and every panel query names a runner series that exists', () => {
    const dash = JSON.parse(file('grafana-dashboard.json')) as {
      uid: string;
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    expect(dash.uid).toBe('runner-pool');
    const exprs = dash.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) {
      expect(runnerNames(expr).length, expr).toBeGreaterThan(0);
      for (const n of runnerNames(expr)) expect(names.has(n), `${n} in ${expr}`).toBe(true);
    }
    expect(names.has('runner_made_up')).toBe(false);
  });

  it('every alert and recording rule names runner series that exist', () => {
    const rules = (parse(file('runner.rules.yml')) as { groups: Array<{ rules: Array<{ expr: string }> }> }).groups
      .flatMap((g) => g.rules)
      .map((r) => r.expr);
    expect(rules.length).toBe(7);
    for (const expr of rules) for (const n of runnerNames(expr)) expect(names.has(n), `${n} in ${expr}`).toBe(true);
  });
});
