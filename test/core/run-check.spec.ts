import type { Result } from '../../src/core/types.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HostUnreachableError } from '../../src/core/errors.js';
import { exitCodeFor } from '../../src/core/outcome.js';
import { runCheck, runChecks, type CheckEntry } from '../../src/core/run-check.js';
import type { Check, Finding, Remediation } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import { testContext } from '../helpers/context.js';

/** A check over an in-memory counter: drift while `state.value` differs from `want`. */
function counterCheck(state: { value: number; probes: number }, want: number, extra: Partial<Check> = {}): Check {
  return {
    id: 'counter',
    summary: 'test counter',
    options: z.object({}),
    async probe(): Promise<Finding<{ to: number }>> {
      state.probes += 1;
      if (state.value === want) return { state: 'ok', summary: `at ${want}` };
      return { state: 'drift', summary: `at ${state.value}, want ${want}`, plan: { to: want } };
    },
    ...extra,
  };
}

function setter(state: { value: number }, lands: (to: number) => number = (to) => to): Remediation {
  return {
    id: 'counter',
    async apply(_host, plan) {
      state.value = lands((plan as { to: number }).to);
      return `set to ${state.value}`;
    },
  };
}

const host = new LocalHost('test');

describe('core/run-check', () => {
  it('reports drift with the plan in check mode and never applies', async () => {
    const state = { value: 1, probes: 0 };
    const r = await runCheck(
      host,
      { check: counterCheck(state, 3), remediation: setter(state), options: {} },
      testContext('check'),
    );
    expect(r).toMatchObject({ check: 'counter', status: 'drift', summary: 'at 1, want 3', plan: { to: 3 } });
    expect(state).toEqual({ value: 1, probes: 1 });
  });

  it('applies, re-probes and reports changed when converged', async () => {
    const state = { value: 1, probes: 0 };
    const r = await runCheck(
      host,
      { check: counterCheck(state, 3), remediation: setter(state), options: {} },
      testContext('apply'),
    );
    expect(r).toMatchObject({ status: 'changed', summary: 'set to 3', plan: { to: 3 } });
    expect(state).toEqual({ value: 3, probes: 2 });
  });

  it('reports failed when the fix does not converge', async () => {
    const state = { value: 1, probes: 0 };
    const entry = { check: counterCheck(state, 3), remediation: setter(state, () => 2), options: {} };
    const r = await runCheck(host, entry, testContext('apply'));
    expect(r.status).toBe('failed');
    expect(r.summary).toBe('did not converge: set to 2; still: at 2, want 3');
  });

  it('reports drift without a remediation as failed in apply mode', async () => {
    const state = { value: 1, probes: 0 };
    const r = await runCheck(host, { check: counterCheck(state, 3), options: {} }, testContext('apply'));
    expect(r).toMatchObject({ status: 'failed', summary: 'drift with no automatic fix: at 1, want 3' });
  });

  it('reports a recycle-only check as failed with halt in both modes', async () => {
    const state = { value: 1, probes: 0 };
    for (const mode of ['check', 'apply'] as const) {
      const r = await runCheck(
        host,
        { check: counterCheck(state, 3, { recycle: true }), options: {} },
        testContext(mode),
      );
      expect(r).toMatchObject({ status: 'failed', halt: true });
    }
  });

  it('turns a throwing probe into failed with what it was doing', async () => {
    const check = counterCheck({ value: 0, probes: 0 }, 0, { probe: async () => Promise.reject(new Error('boom')) });
    const r = await runCheck(host, { check, options: {} }, testContext('check'));
    expect(r).toMatchObject({ status: 'failed', summary: 'probing counter on test: boom' });
  });

  it('turns a throwing fix into failed naming the apply step', async () => {
    const state = { value: 1, probes: 0 };
    const remediation: Remediation = { id: 'counter', apply: async () => Promise.reject(new Error('disk on fire')) };
    const r = await runCheck(host, { check: counterCheck(state, 3), remediation, options: {} }, testContext('apply'));
    expect(r).toMatchObject({ status: 'failed', summary: 'applying counter on test: disk on fire' });
  });

  it('marks the host unreachable and skips its remaining checks', async () => {
    const lost = counterCheck({ value: 0, probes: 0 }, 0, {
      id: 'lost',
      probe: async () => Promise.reject(new HostUnreachableError('test', 'dropped', 'connection reset')),
    });
    const after: CheckEntry = { check: counterCheck({ value: 0, probes: 0 }, 0), options: {} };
    const report = await runChecks(host, [{ check: lost, options: {} }, after], testContext('check'));
    expect(report.results.map((r) => r.status)).toEqual(['unreachable', 'skipped']);
    expect(report.failure).toEqual({ stage: 'connect', reason: 'dropped', detail: 'connection reset' });
    expect(exitCodeFor([report])).toBe(8);
  });

  it('probes concurrently in check mode but keeps config order in the report', async () => {
    // each probe waits until the other has started: this only finishes if they run at the same time
    let started = 0;
    let release: () => void = () => {};
    const both = new Promise<void>((r) => (release = r));
    const waiting = (id: string): Check =>
      counterCheck({ value: 0, probes: 0 }, 0, {
        id,
        probe: async () => {
          if (++started === 2) release();
          await both;
          return { state: 'ok', summary: id };
        },
      });
    const report = await runChecks(
      host,
      [
        { check: waiting('a'), options: {} },
        { check: waiting('b'), options: {} },
      ],
      testContext('check'),
    );
    expect(report.results.map((r) => r.summary)).toEqual(['a', 'b']);
  });

  it('apply: probes all at once first, then fixes strictly in config order, re-probing after an earlier fix', async () => {
    const order: string[] = [];
    const traced = (id: string, state: { value: number; probes: number }): CheckEntry => {
      const check = counterCheck(state, 3, { id });
      const probe = check.probe.bind(check);
      return {
        check: { ...check, probe: async (...a) => (order.push(`probe ${id}`), probe(...a)) },
        remediation: { id, apply: async (...a) => (order.push(`fix ${id}`), setter(state).apply(...a)) },
        options: {},
      };
    };
    const report = await runChecks(
      host,
      [traced('a', { value: 1, probes: 0 }), traced('b', { value: 1, probes: 0 })],
      testContext('apply'),
    );
    expect(report.results.map((r) => r.status)).toEqual(['changed', 'changed']);
    expect(order).toEqual(['probe a', 'probe b', 'fix a', 'probe a', 'probe b', 'fix b', 'probe b']);
  });

  it('apply: reuses the first probe when no earlier fix ran, and says how a plan changed after one did', async () => {
    const a = { value: 1, probes: 0 };
    const b = { value: 3, probes: 0 };
    const entries: CheckEntry[] = [
      { check: counterCheck(a, 3, { id: 'a' }), remediation: setter(a), options: {} },
      // b drifts at first, and a's fix happens to settle it
      { check: counterCheck(b, 3, { id: 'b', probe: async () => bProbe() }), remediation: setter(b), options: {} },
    ];
    let bFirst = true;
    const bProbe = async (): Promise<Finding<{ to: number }>> => {
      b.probes += 1;
      if (bFirst) return ((bFirst = false), { state: 'drift', summary: 'at 1, want 3', plan: { to: 3 } });
      return { state: 'ok', summary: 'at 3' };
    };
    const report = await runChecks(host, entries, testContext('apply'));
    expect(report.results.map((r) => [r.status, r.summary])).toEqual([
      ['changed', 'set to 3'],
      ['ok', 'at 3; nothing left to do, since a ran first'],
    ]);
    expect([a.probes, b.probes]).toEqual([2, 2]);
    const quiet = { value: 3, probes: 0 };
    await runChecks(host, [{ check: counterCheck(quiet, 3), options: {} }], testContext('apply'));
    expect(quiet.probes).toBe(1);
  });

  it.each([
    [['ok', 'skipped'], 0],
    [['ok', 'drift'], 2],
    [['changed'], 2],
    [['failed', 'drift'], 6],
    [['failed'], 4],
  ] as const)('maps statuses %j to exit code %i', (statuses, code) => {
    const results = statuses.map((status) => ({ check: 'x', status, summary: '', durationMs: 0, plan: {} }) as Result);
    expect(exitCodeFor([{ host: 'h', results }])).toBe(code);
  });
});
