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

/**
 * An entry's outcome from a finding already made instead of a first probe (`apply --plan`: the saved plan as a
 * drift finding, so its fix runs on exactly that plan; in check mode, a fresh probe reported as check does).
 */
export async function runFromFinding(
  host: Host,
  entry: CheckEntry,
  ctx: Context,
  first: Finding<unknown>,
): Promise<Result> {
  return (await attempt(host, entry, ctx, { first, fixed: [] })).result;
}

/** A check's result, and the error that lost the host when it was lost. */
interface Attempt {
  result: Result;
  lost?: HostUnreachableError;
  /** its fix ran (whatever came of it): what later checks first saw may be stale */
  fixed?: boolean;
}

/**
 * What came before this check in an apply: the first probe's finding (all probes of a host run at once
 * first), and the checks whose fixes ran since, which make that finding stale.
 */
export interface Before {
  first?: Finding<unknown>;
  fixed: readonly string[];
}

async function attempt(host: Host, entry: CheckEntry, ctx: Context, before: Before = { fixed: [] }): Promise<Attempt> {
  const started = performance.now();
  const { check } = entry;
  let doing = `probing ${check.id} on ${host.name}`;
  let fixing = false;
  try {
    const partial = await evaluate(host, entry, ctx, before, (step) => {
      fixing ||= step === 'applying';
      doing = `${step} ${check.id} on ${host.name}`;
    });
    return { result: { check: check.id, ...partial, durationMs: elapsed(started) }, fixed: fixing };
  } catch (err) {
    const durationMs = elapsed(started);
    if (err instanceof HostUnreachableError) {
      return { result: { check: check.id, status: 'unreachable', summary: err.message, durationMs }, lost: err };
    }
    const result: Result = {
      check: check.id,
      status: 'failed',
      summary: `${doing}: ${describeError(err)}`,
      durationMs,
    };
    return { result, fixed: fixing };
  }
}

type Partial = Result extends infer R ? (R extends Result ? Omit<R, 'check' | 'durationMs'> : never) : never;

async function evaluate(
  host: Host,
  entry: CheckEntry,
  ctx: Context,
  before: Before,
  step: (s: string) => void,
): Promise<Partial> {
  const { check, remediation, options } = entry;
  const finding =
    before.first === undefined || before.fixed.length > 0 ? await check.probe(host, options, ctx) : before.first;
  const note = replanNote(check, before, finding);
  const said = (f: Finding<unknown>, prefix = '') => ({
    summary: prefix + f.summary + note,
    ...warningsOf(f),
    ...spaceOf(f),
  });
  if (finding.state === 'ok' || finding.state === 'skipped') return { status: finding.state, ...said(finding) };
  const { plan } = finding;
  if (finding.state === 'failed' && (ctx.mode === 'check' || plan === undefined))
    return { status: 'failed', ...said(finding), ...(plan === undefined ? {} : { plan }) };
  if (check.recycle) return { status: 'failed', ...said(finding), plan, halt: true };
  if (ctx.mode === 'check') return { status: 'drift', ...said(finding), plan };
  if (!remediation) return { status: 'failed', ...said(finding, 'drift with no automatic fix: '), plan };
  step('applying');
  const done = await remediation.apply(host, plan, options, ctx);
  step('re-probing');
  const after = await check.probe(host, options, ctx);
  if (after.state === 'drift' || after.state === 'failed')
    return { status: 'failed', ...said(after, `did not converge: ${done}; still: `), plan };
  return { status: 'changed', summary: done + note, plan, ...warningsOf(finding, after), ...spaceOf(after) };
}

/** Why this plan is not the one the first probe made: earlier fixes changed the host (clobber freed space). */
function replanNote(check: Check, before: Before, now: Finding<unknown>): string {
  const first = before.first === undefined ? undefined : planOf(before.first);
  if (first === undefined || before.fixed.length === 0) return '';
  const nowPlan = planOf(now);
  const why = check.replanned
    ? check.replanned(first, nowPlan)
    : JSON.stringify(first) === JSON.stringify(nowPlan)
      ? undefined
      : nowPlan === undefined
        ? 'nothing left to do'
        : 'the plan changed';
  return why === undefined ? '' : `; ${why}, since ${before.fixed.join(', ')} ran first`;
}

function planOf(f: Finding<unknown>): unknown {
  return 'plan' in f ? f.plan : undefined;
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

/**
 * Apply: every probe at once first (read-only, as check mode), then the fixes strictly in config order; a check
 * is probed again once an earlier fix ran, and says how its plan changed from the first (data flow: clobber, purge).
 */
async function inOrder(host: Host, entries: readonly CheckEntry[], ctx: Context): Promise<Attempt[]> {
  const firsts = await Promise.all(entries.map((e) => firstProbe(host, e, ctx)));
  const attempts: Attempt[] = [];
  for (const [i, entry] of entries.entries()) {
    const first = firsts[i] as Finding<unknown> | Attempt;
    const stop = attempts.some((a) => a.lost) || ctx.signal.aborted;
    const fixed = attempts.filter((a) => a.fixed).map((a) => a.result.check);
    attempts.push(
      stop
        ? { result: skipped(entry.check.id, ctx.signal.aborted ? 'interrupted' : 'earlier-failure') }
        : 'state' in first
          ? await attempt(host, entry, ctx, { first, fixed })
          : fixed.length
            ? await attempt(host, entry, ctx, { fixed })
            : first,
    );
  }
  return attempts;
}

/** The first probe's finding, or the attempt it ended as when it threw. */
async function firstProbe(host: Host, entry: CheckEntry, ctx: Context): Promise<Finding<unknown> | Attempt> {
  try {
    return await entry.check.probe(host, entry.options, ctx);
  } catch {
    return attempt(host, entry, ctx, { fixed: [] });
  }
}

function skipped(check: string, why: string): Result {
  return { check, status: 'skipped', summary: why, durationMs: 0 };
}
