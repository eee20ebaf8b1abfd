import { describe, expect, it } from 'vitest';
import type { HostReport, Result } from '../../src/core/types.js';
import { makeDocument } from '../../src/report/document.js';
import { nagiosState, nagiosUnknown, renderNagios } from '../../src/report/nagios.js';
import { wantsNagios } from '../../src/commands/plugin.js';

const ok: Result = { check: 'clobber', status: 'ok', summary: 'nothing pending', durationMs: 4 };
const drift: Result = { check: 'purge', status: 'drift', summary: 'delete 1 dir', plan: {}, durationMs: 120 };
const failed: Result = { check: 'puppet', status: 'failed', summary: 'last run 3 d ago', durationMs: 7 };

function doc(...hosts: HostReport[]) {
  return makeDocument('check', new Date(), hosts);
}
const host = (...results: Result[]): HostReport => ({ host: 'bld-01', results });

/** The status line split at the plugin's separator: exactly one `|`, text before, perfdata after. */
function statusLine(text: string): { text: string; perf: string[] } {
  const first = text.split('\n')[0] as string;
  const parts = first.split('|');
  expect(parts, first).toHaveLength(2);
  return { text: (parts[0] as string).trimEnd(), perf: (parts[1] as string).trim().split(' ') };
}

describe('report/nagios', () => {
  it('all ok: RUNNER OK, exit 0, a status and a duration per check', () => {
    const d = doc(host(ok, { ...ok, check: 'temp', status: 'skipped' }));
    const line = statusLine(renderNagios(d));
    expect(line.text).toBe('RUNNER OK - 2 checks ok');
    expect(line.perf).toEqual([
      "'clobber_status'=0;1;2;0;3",
      "'clobber_seconds'=0.004s;;;0",
      "'temp_status'=0;1;2;0;3",
      "'temp_seconds'=0.004s;;;0",
    ]);
    expect(nagiosState(d)).toBe(0);
    expect(renderNagios(d).split('\n')).toHaveLength(2);
  });

  it('drift is WARNING (1) naming the check, with its reason as long text', () => {
    const d = doc(host(ok, drift));
    const text = renderNagios(d);
    expect(statusLine(text).text).toBe('RUNNER WARNING - drift: purge');
    expect(statusLine(text).perf).toContain("'purge_status'=1;1;2;0;3");
    expect(statusLine(text).perf).toContain("'purge_seconds'=0.120s;;;0");
    expect(text.split('\n')[1]).toBe('purge: drift: delete 1 dir');
    expect(nagiosState(d)).toBe(1);
  });

  it('failed is CRITICAL (2), named before the drift', () => {
    const d = doc(host(drift, failed));
    expect(statusLine(renderNagios(d)).text).toBe('RUNNER CRITICAL - failed: puppet; drift: purge');
    expect(nagiosState(d)).toBe(2);
  });

  it('nothing ran is UNKNOWN (3); a host whose config is broken is UNKNOWN, an unreachable one CRITICAL', () => {
    expect(nagiosState(doc(host()))).toBe(3);
    expect(renderNagios(doc(host()))).toBe('RUNNER UNKNOWN - nothing ran\n');
    const broken: HostReport = { host: 'a', results: [], failure: { stage: 'config', detail: '/etc/r.yaml: bad' } };
    const gone: HostReport = { host: 'b', results: [], failure: { stage: 'connect', reason: 'refused', detail: 'x' } };
    expect(nagiosState(doc(broken, host(ok)))).toBe(3);
    expect(statusLine(renderNagios(doc(broken, host(ok)))).text).toBe('RUNNER UNKNOWN - broken config: a/config');
    expect(renderNagios(doc(broken, host(ok)))).toContain('\na/config: broken config: /etc/r.yaml: bad\n');
    expect(nagiosState(doc(broken, gone))).toBe(2);
    expect(statusLine(renderNagios(doc(broken, gone))).text).toBe(
      'RUNNER CRITICAL - unreachable: b/connect; broken config: a/config',
    );
  });

  it('hostile reason text cannot break the line: | newlines and control characters are escaped', () => {
    const evil: Result = {
      check: 'temp',
      status: 'failed',
      summary: "x | 'a'=1 \n RUNNER OK - fine\r\x1b[2J\x00\u2028end",
      durationMs: 1,
    };
    const text = renderNagios(doc(host(evil)));
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(statusLine(text).text).toBe('RUNNER CRITICAL - failed: temp');
    expect(lines[1]).toBe("temp: failed: x \\x7c 'a'=1 \\n RUNNER OK - fine\\r\\x1b[2J\\x00\u2028end");
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
  });

  it('hostile host names make sane quoted labels and cannot add a separator', () => {
    const a: HostReport = { host: "bld'=|\n01", results: [failed] };
    const text = renderNagios(doc(a, host(ok)));
    const line = statusLine(text);
    expect(line.text).toBe("RUNNER CRITICAL - failed: bld'=\\x7c\\n01/puppet");
    expect(line.perf[0]).toBe("'bld____01/puppet_status'=2;1;2;0;3");
    for (const p of line.perf) expect(p).toMatch(/^'[^'=]+'=[\d.]+s?(;[\d.]*){2,4}$/);
  });

  it('a long reason is cut, many names are counted, many long lines are capped', () => {
    const long: Result = { ...failed, summary: 'y'.repeat(5000) };
    const lines = renderNagios(doc(host(long))).split('\n');
    expect([...(lines[1] as string)].length).toBe(300);
    const many = Array.from({ length: 150 }, (_, i): Result => ({ ...drift, check: `c${i}` }));
    const text = renderNagios(doc(host(...many)));
    expect(statusLine(text).text).toBe('RUNNER WARNING - drift: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 140 more');
    expect(text.split('\n')).toHaveLength(1 + 100 + 1 + 1);
    expect(text).toContain('\n… 50 more\n');
  });

  it('a refusal is UNKNOWN naming the problem, its further lines as long text, escaped', () => {
    expect(nagiosUnknown('invalid config /etc/r|x.yaml:\n  /etc/r|x.yaml:2:1: bad\n')).toBe(
      'RUNNER UNKNOWN - invalid config /etc/r\\x7cx.yaml:\n  /etc/r\\x7cx.yaml:2:1: bad\n',
    );
  });

  it.each([
    [['check', '--format', 'nagios'], true],
    [['check', '-f', 'nagios', '--bogus'], true],
    [['audit', '--format=nagios'], true],
    [['apply', '-fnagios'], true],
    [['check', '-f', 'nagios', '--format', 'json'], false],
    [['check', '-c', 'nagios'], false],
    [['status', '-f', 'nagios'], false],
  ])('reads --format nagios from %j: %s', (argv, wanted) => {
    expect(wantsNagios(argv)).toBe(wanted);
  });
});
