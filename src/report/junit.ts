import { planOf, type Result } from '../core/types.js';
import type { ReportDocument } from './document.js';
import { rowsOf } from './failure.js';

/**
 * JUnit XML: a testsuite per host, a testcase per check (a host that failed before its checks: one testcase
 * named after the stage, connect or config); drift is a failure only with `failOnDrift`.
 */
export function renderJunit(doc: ReportDocument, opts: { failOnDrift: boolean }): string {
  const suites = doc.hosts.map((host) => {
    const rows = rowsOf(host);
    const cases = rows.map((r) => testcase(host.host, r, opts.failOnDrift));
    const count = (pred: (r: Result) => boolean) => rows.filter(pred).length;
    const failures = count((r) => r.status === 'failed' || (opts.failOnDrift && r.status === 'drift'));
    const errors = count((r) => r.status === 'unreachable');
    const skipped = count((r) => r.status === 'skipped');
    const time = seconds(rows.reduce((n, r) => n + r.durationMs, 0));
    const attrs = `name="${esc(host.host)}" tests="${rows.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}"`;
    return `  <testsuite ${attrs}>\n${cases.join('')}  </testsuite>\n`;
  });
  const t = doc.tally;
  const total = Object.values(t).reduce((a, b) => a + b, 0);
  const head = `<testsuites name="runner ${doc.command}" tests="${total}" failures="${t.failed + (opts.failOnDrift ? t.drift : 0)}" errors="${t.unreachable}" time="${seconds(doc.durationMs)}">`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}\n${suites.join('')}</testsuites>\n`;
}

function testcase(host: string, r: Result, failOnDrift: boolean): string {
  const open = `    <testcase classname="${esc(host)}" name="${esc(r.check)}" time="${seconds(r.durationMs)}">`;
  const plan = planOf(r) === undefined ? '' : `\n${JSON.stringify(planOf(r), null, 2)}`;
  const body = (() => {
    switch (r.status) {
      case 'failed':
        return `<failure type="failed" message="${esc(r.summary)}"/>`;
      case 'unreachable':
        return `<error type="unreachable" message="${esc(r.summary)}"/>`;
      case 'skipped':
        return `<skipped message="${esc(r.summary)}"/>`;
      case 'drift':
        return failOnDrift
          ? `<failure type="drift" message="${esc(r.summary)}">${esc(plan)}</failure>`
          : `<system-out>${esc(`drift: ${r.summary}${plan}`)}</system-out>`;
      default:
        return `<system-out>${esc(`${r.status}: ${r.summary}`)}</system-out>`;
    }
  })();
  return `${open}${body}</testcase>\n`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function esc(text: string): string {
  // XML 1.0 cannot carry most control characters, even escaped
  return text
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
