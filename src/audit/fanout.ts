import { limiter } from '../core/limit.js';
import type { Context, HostReport } from '../core/types.js';
import type { SshStats } from '../host/ssh.js';
import { auditHost, type HostOutcome, type HostSettings } from './audit-host.js';
import type { AuditTarget } from './targets.js';

export interface AuditRun {
  reports: HostReport[];
  stats: Map<string, SshStats>;
  /** --plan-out: each audited host's plan file, or why it has none */
  plans: Map<string, HostOutcome['plan']>;
}

/** Audits every target, `forks` at a time; a slow or dead host holds up only its own slot. Reports keep inventory order. */
export async function auditAll(
  targets: readonly AuditTarget[],
  settings: HostSettings & { forks: number },
  ctx: Context,
  onDone: (report: HostReport) => void = () => {},
): Promise<AuditRun> {
  const slot = limiter(settings.forks);
  const stats = new Map<string, SshStats>();
  const planOf = new Map<string, HostOutcome['plan']>();
  const reports = await Promise.all(
    targets.map((t) =>
      slot(async (): Promise<HostReport> => {
        if (ctx.signal.aborted) {
          return {
            host: t.ssh.name,
            results: [],
            failure: { stage: 'interrupted', detail: 'not audited: the run was stopped first' },
          };
        }
        const outcome = await auditHost(t, settings, ctx);
        if (outcome.stats) stats.set(t.ssh.name, outcome.stats);
        planOf.set(t.ssh.name, outcome.plan);
        onDone(outcome.report);
        return outcome.report;
      }),
    ),
  );
  // in inventory order, as the reports
  const plans = new Map(targets.map((t) => [t.ssh.name, planOf.get(t.ssh.name)]));
  return { reports, stats, plans };
}
