import { HostUnreachableError, describeError } from './errors.js';
import type { Check, Context, Finding, Host, HostReport, Remediation, Result } from './types.js';

/** One configured check: its code, its fix (if any) and its already-validated options. */
export interface CheckEntry {
  check: Check;
  remediation?: Remediation;
  options: unknown;
}

/** The one place that turns throws into outcomes: probe → (apply → re-probe) → Result. */
export async function runCheck(host: Host, entry: CheckEntry, ctx: Context): Promise<Result> {
  const started = performance.now();
  const { check } = entry;
  let doing = `probing ${check.id} on ${host.name}`;
  try {
    const partial = await evaluate(host, entry, ctx, (step) => (doing = `${step} ${check.id} on ${host.name}`));
    return { check: check.id, ...partial, durationMs: elapsed(started) };
  } catch (err) {
    const durationMs = elapsed(started);
    if (err instanceof HostUnreachableError) {
      return { check: check.id, status: 'unreachable', summary: err.message, durationMs };
    }
    return { check: check.id, status: 'failed', summary: `${doing}: ${describeError(err)}`, durationMs };
  }
}

type Partial = Omit<Result, 'check' | 'durationMs'>;

async function evaluate(host: Host, entry: CheckEntry, ctx: Context, step: (s: string) => void): Promise<Partial> {
  const { check, remediation, options } = entry;
  const finding = await check.probe(host, options, ctx);
  if (finding.state !== 'drift') return fromFinding(finding, finding.state);
  if (check.recycle) return { ...fromFinding(finding, 'failed'), halt: true };
  if (ctx.mode === 'check') return fromFinding(finding, 'drift');
  if (!remediation) return fromFinding(finding, 'failed', 'drift with no automatic fix: ');
  step('applying');
  const done = await remediation.apply(host, finding.plan, options, ctx);
  step('re-probing');
  const after = await check.probe(host, options, ctx);
  if (after.state === 'drift') {
    return { ...fromFinding(after, 'failed', `did not converge: ${done}; still: `), plan: finding.plan };
  }
  return { status: 'changed', summary: done, plan: finding.plan, ...warningsOf(finding, after) };
}

function fromFinding(f: Finding<unknown>, status: Result['status'], prefix = ''): Partial {
  const base: Partial = { status, summary: prefix + f.summary, ...warningsOf(f) };
  return f.state === 'drift' ? { ...base, plan: f.plan } : base;
}

function warningsOf(...findings: Finding<unknown>[]): { warnings?: string[] } {
  const all = [...new Set(findings.flatMap((f) => f.warnings ?? []))];
  return all.length ? { warnings: all } : {};
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** Runs the checks of one host in order; after the host becomes unreachable the rest are skipped. */
export async function runChecks(host: Host, entries: readonly CheckEntry[], ctx: Context): Promise<HostReport> {
  const results: Result[] = [];
  let unreachable: string | undefined;
  for (const entry of entries) {
    if (unreachable !== undefined || ctx.signal.aborted) {
      const why = unreachable !== undefined ? 'earlier-failure: host unreachable' : 'interrupted';
      results.push({ check: entry.check.id, status: 'skipped', summary: why, durationMs: 0 });
      continue;
    }
    const result = await runCheck(host, entry, ctx);
    if (result.status === 'unreachable') unreachable = result.summary;
    results.push(result);
  }
  return unreachable === undefined ? { host: host.name, results } : { host: host.name, results, unreachable };
}
