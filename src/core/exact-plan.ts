import { describeError } from './errors.js';
import { diffFingerprint, flatFingerprint, type Fingerprint } from './fingerprint.js';
import { PLAN_VERSION, type PlanFile, type PlanOrigin, type SavedPlan } from './plan-file.js';
import type { CheckEntry } from './run-check.js';
import type { Check, Context, Finding, Host, ReadHost, Result } from './types.js';

/** One check's fresh probe: what it found, or why it could not tell. */
export interface Probed {
  entry: CheckEntry;
  finding: Finding<unknown> | { error: string };
  durationMs: number;
}

/** Every check probed at once (read-only, as `runner check`); a probe that throws is kept as its error. */
export async function probeAll(host: ReadHost, entries: readonly CheckEntry[], ctx: Context): Promise<Probed[]> {
  return Promise.all(
    entries.map(async (entry) => {
      const started = performance.now();
      const finding = await entry.check.probe(host, entry.options, ctx).catch((err: unknown) => ({
        error: describeError(err),
      }));
      return { entry, finding, durationMs: Math.round(performance.now() - started) };
    }),
  );
}

export function fingerprintOf(check: Check, plan: unknown): Fingerprint {
  return check.fingerprint ? check.fingerprint(plan) : flatFingerprint(plan);
}

/** The plan file's checks: every drifted one of a `runner check` report, its plan and what the plan depends on. */
export function savedPlans(entries: readonly CheckEntry[], results: readonly Result[]): SavedPlan[] {
  return results.flatMap((r) => {
    const entry = entries.find((e) => e.check.id === r.check);
    if (r.status !== 'drift' || !entry) return [];
    return [{ check: r.check, summary: r.summary, plan: r.plan, fingerprint: fingerprintOf(entry.check, r.plan) }];
  });
}

/** The plan file of one host's `check` report: where, by what and with which config it was made, and its drifted checks. */
export function planFileOf(
  origin: PlanOrigin,
  config: string,
  entries: readonly CheckEntry[],
  results: readonly Result[],
  started: Date,
): PlanFile {
  return {
    version: PLAN_VERSION,
    runner: origin.runner,
    host: { machineId: origin.machineId, hostname: origin.hostname },
    config,
    configHash: origin.configHash,
    createdAt: started.toISOString(),
    probed: entries.map((e) => e.check.id),
    checks: savedPlans(entries, results),
  };
}

/** "check: entry: field old → new" for everything the host changed that the saved plan depends on. */
export function differences(saved: PlanFile, probed: readonly Probed[]): string[] {
  const out: string[] = [];
  for (const { entry, finding } of probed) {
    const id = entry.check.id;
    const planned = saved.checks.find((c) => c.check === id);
    if ('error' in finding) {
      if (planned) out.push(`${id}: planned, and its probe now fails: ${finding.error}`);
    } else if (planned && finding.state !== 'drift')
      out.push(`${id}: planned, now ${finding.state}: ${finding.summary}`);
    else if (!planned && finding.state === 'drift') out.push(`${id}: not in the plan, now drifted: ${finding.summary}`);
    else if (planned && finding.state === 'drift')
      out.push(
        ...diffFingerprint(planned.fingerprint, fingerprintOf(entry.check, finding.plan)).map((d) => `${id}: ${d}`),
      );
  }
  for (const c of saved.checks)
    if (!probed.some((p) => p.entry.check.id === c.check)) out.push(`${c.check}: planned, but not configured now`);
  return out;
}

/**
 * Runs exactly the saved plans, in config order (each fix acts only on the identities its plan pinned), then
 * probes each fixed check again; the other checks report their fresh probe.
 */
export async function applySaved(
  host: Host,
  probed: readonly Probed[],
  saved: PlanFile,
  ctx: Context,
): Promise<Result[]> {
  const results: Result[] = [];
  for (const p of probed) {
    const planned = saved.checks.find((c) => c.check === p.entry.check.id);
    results.push(planned ? await applyOne(host, p.entry, planned.plan, ctx) : asReported(p));
  }
  return results;
}

async function applyOne(host: Host, entry: CheckEntry, plan: unknown, ctx: Context): Promise<Result> {
  const { check, remediation, options } = entry;
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  if (!remediation)
    return { check: check.id, status: 'failed', summary: 'drift with no automatic fix', plan, durationMs: ms() };
  let doing = 'applying the saved plan';
  try {
    const done = await remediation.apply(host, plan, options, ctx);
    doing = 're-probing';
    const after = await check.probe(host, options, ctx);
    const extra = {
      ...(after.warnings?.length ? { warnings: after.warnings } : {}),
      ...(after.space ? { space: after.space } : {}),
    };
    if (after.state === 'drift' || after.state === 'failed')
      return {
        check: check.id,
        status: 'failed',
        summary: `did not converge: ${done}; still: ${after.summary}`,
        plan,
        ...extra,
        durationMs: ms(),
      };
    return { check: check.id, status: 'changed', summary: done, plan, ...extra, durationMs: ms() };
  } catch (err) {
    return {
      check: check.id,
      status: 'failed',
      summary: `${doing} of ${check.id}: ${describeError(err)}`,
      plan,
      durationMs: ms(),
    };
  }
}

/** A check the plan does not name: its fresh probe, as `runner check` reports it (it is not drifted: that was refused). */
function asReported({ entry, finding, durationMs }: Probed): Result {
  const check = entry.check.id;
  if ('error' in finding) return { check, status: 'failed', summary: `probing ${check}: ${finding.error}`, durationMs };
  const extra = {
    ...(finding.warnings?.length ? { warnings: finding.warnings } : {}),
    ...(finding.space ? { space: finding.space } : {}),
  };
  if (finding.state === 'ok' || finding.state === 'skipped')
    return { check, status: finding.state, summary: finding.summary, ...extra, durationMs };
  return {
    check,
    status: 'failed',
    summary: finding.summary,
    ...('plan' in finding && finding.plan !== undefined ? { plan: finding.plan } : {}),
    ...extra,
    durationMs,
  };
}
