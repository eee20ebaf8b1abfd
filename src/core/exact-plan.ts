import { describeError } from './errors.js';
import { diffFingerprint, flatFingerprint, type Fingerprint } from './fingerprint.js';
import { PLAN_VERSION, type PlanFile, type PlanOrigin, type SavedPlan } from './plan-file.js';
import { runFromFinding, type CheckEntry } from './run-check.js';
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
    // what a reviewer read must be what was fingerprinted: an edited plan is refused, never run
    const edited = planned ? diffFingerprint(planned.fingerprint, fingerprintOf(entry.check, planned.plan)) : [];
    if (edited.length) out.push(`${id}: the plan file's plan and its fingerprint disagree: ${edited.join('; ')}`);
    else if ('error' in finding) {
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
 * Runs exactly the saved plans, in config order, through runCheck's own path: each planned check's fix runs on
 * its fresh plan, which `differences` found equal to the saved one (each fix acts only on the identities it pinned,
 * then the check is probed again); the other checks report their fresh probe.
 */
export async function applySaved(
  host: Host,
  probed: readonly Probed[],
  saved: PlanFile,
  ctx: Context,
): Promise<Result[]> {
  const results: Result[] = [];
  for (const { entry, finding, durationMs } of probed) {
    const id = entry.check.id;
    const planned = saved.checks.find((c) => c.check === id);
    // the fresh probe's plan, which `differences` proved is the saved one: the file's bytes never drive a fix
    if (planned && !('error' in finding) && finding.state === 'drift')
      results.push(await runFromFinding(host, entry, ctx, finding));
    else if (planned)
      throw new Error(`${id}: planned, but its fresh probe is not a drift (differences let it through)`);
    else if ('error' in finding)
      results.push({ check: id, status: 'failed', summary: `probing ${id}: ${finding.error}`, durationMs });
    // not drifted (that was refused): reported as runner check reports it
    else results.push({ ...(await runFromFinding(host, entry, { ...ctx, mode: 'check' }, finding)), durationMs });
  }
  return results;
}
