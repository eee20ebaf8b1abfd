import { describe, expect, it } from 'vitest';
import { makeDocument } from '../../src/report/document.js';
import { hostRange } from '../../src/report/host-range.js';
import { renderHuman } from '../../src/report/human.js';
import { generatedAudit } from '../helpers/audit-doc.js';

describe('report/host-range', () => {
  it('compacts numbered names as Ansible ranges, gaps as commas, others as they are', () => {
    expect(hostRange(['bld-01', 'bld-02', 'bld-03', 'bld-40'])).toBe('bld-[01:03,40]');
    expect(hostRange(['web9', 'web10', 'web11'])).toBe('web[9:11]');
    expect(hostRange(['a1.eu', 'a2.eu', 'a1.us', 'gateway'])).toBe('a[1:2].eu, a1.us, gateway');
    // 09 and 10 are one run only when written at the same width
    expect(hostRange(['n08', 'n09', 'n10', 'n011'])).toBe('n[08:10,011]');
    expect(hostRange(['x99999999999999999998', 'x99999999999999999999'])).toBe(
      'x[99999999999999999998:99999999999999999999]',
    );
  });
});

describe('report/audit summary (human, many hosts)', () => {
  const doc = generatedAudit(300);
  const text = renderHuman(doc, { colour: false, plans: true });
  const lines = text.trimEnd().split('\n');

  it('fits on a screen: totals, the per check table, then one group per kind of problem', () => {
    expect(lines.length).toBeLessThan(20);
    expect(lines[0]).toBe('audit: 301 hosts: 255 ok, 30 drifted, 10 failed, 6 unreachable (exit 14)');
    expect(text).toMatch(/^purge +255 +30 +10 +6 +0$/m);
    expect(text).not.toMatch(/^bld-0100/m);
  });

  it('groups hosts with the same findings, worst first, bigger groups first within a status', () => {
    const heads = lines.filter((l) => /^(unreachable|failed|drift) /.test(l)).map((l) => l.split(':')[0]);
    expect(heads).toEqual([
      'unreachable bld-[0040',
      'failed      bld-[0031',
      expect.stringMatching(/^failed {6}evil</),
      'drift       bld-[0001',
    ]);
    expect(text).toContain('drift       bld-[0001:0030]: purge drift, same plan shape (30 hosts, shown: bld-0001)');
    expect(text).toContain('unreachable bld-[0040:0045]: unreachable at connect (timeout), same reason (6 hosts');
  });

  it('gives every reason whole: a config failure is not cut at the colon ending its first line', () => {
    expect(text).toContain('    invalid config bld-0031:/etc/runner/runner.yaml:\n');
    expect(text).toContain('4:31: checks[1].purge.free: expected a size like 20GB, got "20 gigs"');
    expect(text).toContain('    timeout: no SSH handshake within 10s');
  });

  it('keeps different plan shapes apart', () => {
    const two = makeDocument('audit', new Date(), [
      {
        host: 'a1',
        results: [{ check: 'purge', status: 'drift', summary: 'delete 1 dir (3 kB)', plan: {}, durationMs: 0 }],
      },
      {
        host: 'a2',
        results: [{ check: 'purge', status: 'drift', summary: 'delete 9 dirs (3 GB)', plan: {}, durationMs: 0 }],
      },
      { host: 'a3', results: [{ check: 'purge', status: 'drift', summary: 'base dir gone', plan: {}, durationMs: 0 }] },
      { host: 'a4', results: [{ check: 'purge', status: 'ok', summary: 'fine', durationMs: 0 }] },
    ]);
    const out = renderHuman(two, { colour: false, plans: false });
    expect(out).toContain('drift       a[1:2]: purge drift, same plan shape (2 hosts, shown: a1)');
    expect(out).toContain('drift       a3: purge drift\n');
    expect(out).not.toMatch(/^\S* *a4/m);
  });

  it('--verbose prints every host (the table, each host, the recap), reasons whole in the table too', () => {
    const verbose = renderHuman(doc, { colour: false, plans: true, verbose: true });
    expect(verbose).toMatch(/^bld-0100 +ok +ok$/m);
    expect(verbose).toMatch(
      /^bld-0031 +failed: invalid config bld-0031:\/etc\/runner\/runner.yaml: 4:31: checks\[1\]/m,
    );
    expect(verbose).toContain('RECAP');
    expect(verbose.split('\n').length).toBeGreaterThan(900);
  });

  it('writes hostile names and reasons as escapes, never raw control bytes', () => {
    const evil = makeDocument('audit', new Date(), [
      { host: 'h\x1b[2Jx', results: [{ check: 'purge', status: 'failed', summary: 'bad\x07\nline', durationMs: 0 }] },
    ]);
    const out = renderHuman(evil, { colour: false, plans: false });
    expect(out).not.toContain('\x1b');
    expect(out).toContain('h\\x1b[2Jx: purge failed');
  });
});
