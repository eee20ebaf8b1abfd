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
  return (await attempt(host, entry, ctx)).result;
}

/** A check's result, and the error that lost the host when it was lost. */
interface Attempt {
  result: Result;
  lost?: HostUnreachableError;
}

async function attempt(host: Host, entry: CheckEntry, ctx: Context): Promise<Attempt> {
  const started = performance.now();
  const { check } = entry;
  let doing = `probing ${check.id} on ${host.name}`;
  try {
    const partial = await evaluate(host, entry, ctx, (step) => (doing = `${step} ${check.id} on ${host.name}`));
    return { result: { check: check.id, ...partial, durationMs: elapsed(started) } };
  } catch (err) {
    const durationMs = elapsed(started);
    if (err instanceof HostUnreachableError) {
      return { result: { check: check.id, status: 'unreachable', summary: err.message, durationMs }, lost: err };
    }
    return { result: { check: check.id, status: 'failed', summary: `${doing}: ${describeError(err)}`, durationMs } };
  }
}

type Partial = Result extends infer R ? (R extends Result ? Omit<R, 'check' | 'durationMs'> : never) : never;

async function evaluate(host: Host, entry: CheckEntry, ctx: Context, step: (s: string) => void): Promise<Partial> {
  const { check, remediation, options } = entry;
  const finding = await check.probe(host, options, ctx);
  const said = (f: Finding<unknown>, prefix = '') => ({ summary: prefix + f.summary, ...warningsOf(f), ...spaceOf(f) });
  if (finding.state !== 'drift') return { status: finding.state, ...said(finding) };
  const { plan } = finding;
  if (check.recycle) return { status: 'failed', ...said(finding), plan, halt: true };
  if (ctx.mode === 'check') return { status: 'drift', ...said(finding), plan };
  if (!remediation) return { status: 'failed', ...said(finding, 'drift with no automatic fix: '), plan };
  step('applying');
  const done = await remediation.apply(host, plan, options, ctx);
  step('re-probing');
  const after = await check.probe(host, options, ctx);
  if (after.state === 'drift') return { status: 'failed', ...said(after, `did not converge: ${done}; still: `), plan };
  return { status: 'changed', summary: done, plan, ...warningsOf(finding, after), ...spaceOf(after) };
}

function spaceOf(f: Finding<unknown>): { space?: Finding<unknown>['space'] } {
  return f.space ? { space: f.space } : {};
}

function warningsOf(...findings: Finding<unknown>[]): { warnings?: string[] } {
  const all = [...new Set(findings.flatMap((f) => f.warnings ?? []))];
  return all.length ? { warnings: all } : {};
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/**
 * Runs the checks of one host; after the host becomes unreachable the rest are skipped. In check mode the
 * probes are read-only and independent, so they run at once (results keep config order); apply runs in order.
 */
export async function runChecks(host: Host, entries: readonly CheckEntry[], ctx: Context): Promise<HostReport> {
  const attempts =
    ctx.mode === 'check'
      ? await Promise.all(entries.map((e) => attempt(host, e, ctx)))
      : await inOrder(host, entries, ctx);
  const first = attempts.findIndex((a) => a.lost);
  const lost = attempts[first]?.lost;
  if (lost === undefined) return { host: host.name, results: attempts.map((a) => a.result) };
  const results = attempts.map((a, i) =>
    i > first ? skipped(a.result.check, 'earlier-failure: host unreachable') : a.result,
  );
  return { host: host.name, results, failure: lost.failure };
}

async function inOrder(host: Host, entries: readonly CheckEntry[], ctx: Context): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  for (const entry of entries) {
    const stop = attempts.some((a) => a.lost) || ctx.signal.aborted;
    attempts.push(
      stop
        ? { result: skipped(entry.check.id, ctx.signal.aborted ? 'interrupted' : 'earlier-failure') }
        : await attempt(host, entry, ctx),
    );
  }
  return attempts;
}

function skipped(check: string, why: string): Result {
  return { check, status: 'skipped', summary: why, durationMs: 0 };
}
