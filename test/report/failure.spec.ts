import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/audit/progress.js';
import type { HostReport } from '../../src/core/types.js';
import { makeDocument } from '../../src/report/document.js';
import { render } from '../../src/report/index.js';

// one host of each kind of failure, as the audit makes them
const hosts: HostReport[] = [
  { host: 'ok-01', results: [{ check: 'purge', status: 'drift', summary: 'delete 1 dir', durationMs: 5, plan: {} }] },
  {
    host: 'tarpit',
    results: [],
    failure: { stage: 'connect', reason: 'timeout', detail: 'no SSH handshake within 4s' },
  },
  { host: 'bad-cfg', results: [], failure: { stage: 'config', detail: 'invalid config bad-cfg:/r.yaml:2:3: x\nmore' } },
  { host: 'late', results: [], failure: { stage: 'connect', detail: 'deadline: late did not finish within 1s' } },
  { host: 'stopped', results: [], failure: { stage: 'interrupted', detail: 'not audited: the run was stopped first' } },
  {
    host: 'lost',
    results: [
      {
        check: 'purge',
        status: 'unreachable',
        summary: 'lost unreachable: dropped: connection lost: EOF',
        durationMs: 2,
      },
      { check: 'clobber', status: 'skipped', summary: 'earlier-failure: host unreachable', durationMs: 0 },
    ],
    failure: { stage: 'connect', reason: 'dropped', detail: 'connection lost: EOF' },
  },
];
const doc = makeDocument('audit', new Date(), hosts);
const opts = { colour: false, plans: false, failOnDrift: false };

describe('report: a host failure is data, and every format reads it', () => {
  it('keeps the exit bits and counts each failed host once (the lost one by its unreachable check)', () => {
    expect(doc.exitCode).toBe(2 | 4 | 8);
    expect(doc.tally).toEqual({ ok: 0, drift: 1, changed: 0, failed: 2, skipped: 2, unreachable: 2 });
    expect(makeDocument('audit', new Date(), [hosts[4] as HostReport]).exitCode).toBe(0);
    expect(makeDocument('audit', new Date(), [hosts[3] as HostReport]).exitCode).toBe(4);
  });

  it('json carries the failure as it is, version 2', () => {
    const json = JSON.parse(render('json', doc, opts)) as typeof doc;
    expect(json.version).toBe(2);
    expect(json.hosts[1]).toEqual({
      host: 'tarpit',
      results: [],
      failure: { stage: 'connect', reason: 'timeout', detail: 'no SSH handshake within 4s' },
    });
  });

  it('human summary: each failed host once, worst first, its stage and reason, the detail whole', () => {
    const text = render('human', doc, opts);
    expect(text.split('\n').filter((l) => /^\S/.test(l) && !/^(audit|CHECK|purge|clobber|problems)/.test(l))).toEqual([
      'unreachable tarpit: unreachable at connect (timeout)',
      'unreachable lost: purge unreachable',
      'failed      bad-cfg: failed at config',
      'failed      late: failed at connect',
      'drift       ok-01: purge drift',
      'skipped     stopped: not audited (the run was stopped)',
    ]);
    expect(text).toContain(
      'failed      bad-cfg: failed at config\n    invalid config bad-cfg:/r.yaml:2:3: x\n      more\n',
    );
    expect(text).toContain('unreachable lost: purge unreachable\n    dropped: connection lost: EOF\n');
  });

  it('human --verbose: the table spans the row, the details name the stage, the recap counts it', () => {
    const lines = render('human', doc, { ...opts, verbose: true }).split('\n');
    expect(lines).toContain('tarpit   unreachable: timeout: no SSH handshake within 4s');
    expect(lines).toContain('bad-cfg  failed: invalid config bad-cfg:/r.yaml:2:3: x more');
    expect(lines).toContain('late     failed: deadline: late did not finish within 1s');
    expect(lines).toContain('stopped  skipped: not audited: the run was stopped first');
    expect(lines).toContain('unreachable connect      tarpit unreachable: timeout: no SSH handshake within 4s');
    expect(lines).toContain('skipped     interrupted  not audited: the run was stopped first');
    expect(lines).toContain('tarpit  : ok=0  drift=0  failed=0  unreachable=1  skipped=0');
    expect(lines).toContain('lost    : ok=0  drift=0  failed=0  unreachable=1  skipped=1');
  });

  it('junit: one testcase named after the stage, as an error, failure or skip', () => {
    const xml = render('junit', doc, opts);
    expect(xml).toContain('errors="2"');
    expect(xml).toContain(
      '<testcase classname="tarpit" name="connect" time="0.000"><error type="unreachable" message="tarpit unreachable: timeout: no SSH handshake within 4s"/>',
    );
    expect(xml).toContain('<testcase classname="bad-cfg" name="config" time="0.000"><failure type="failed"');
    expect(xml).toContain('<testcase classname="stopped" name="interrupted" time="0.000"><skipped message=');
  });

  it('the progress line counts drift, failures and unreachable hosts', () => {
    let last = '';
    const p = progressLine((s) => (last = s), hosts.length);
    for (const h of hosts) p.done(h);
    expect(last).toBe('\r\x1b[Kaudit: 6/6 hosts done, 1 with drift, 2 with failures, 2 unreachable');
  });
});
