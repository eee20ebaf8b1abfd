import { entriesFor } from '../config/entries.js';
import { HostUnreachableError, RunnerError, describeError } from '../core/errors.js';
import { runChecks, type CheckEntry } from '../core/run-check.js';
import { planFileOf } from '../core/exact-plan.js';
import type { PlanFile } from '../core/plan-file.js';
import { remoteOrigin } from '../host/plan-origin.js';
import type { Context, HostFailure, HostReport } from '../core/types.js';
import { SshHost, type SshStats } from '../host/ssh.js';
import { lockNote } from '../core/lock.js';
import { lockPathOf } from '../config/lifecycle.js';
import type { SshOptions } from '../host/ssh/connect.js';
import { configWithOverrides, readHostConfig, type ConfigSource } from './host-config.js';
import type { AuditTarget } from './targets.js';

export interface HostSettings {
  ssh: SshOptions;
  /** --config, read once on the controller; else each host's own file */
  shared?: ConfigSource;
  only?: string[];
  deadlineMs: number;
  /** --plan-out: also make each drifted host's plan file, from what its checks found */
  plans?: { configPath?: string };
}

export interface HostOutcome {
  report: HostReport;
  stats?: SshStats;
  /** the host's plan file (--plan-out, a drifted host), or why it has none */
  plan?: PlanFile | { none: string };
}

/** Audits one host: connect, read its config, run its checks read-only; never throws. */
export async function auditHost(target: AuditTarget, settings: HostSettings, ctx: Context): Promise<HostOutcome> {
  const name = target.ssh.name;
  const ssh = { ...settings.ssh, ...(target.connectTimeoutMs ? { connectTimeoutMs: target.connectTimeoutMs } : {}) };
  let host: SshHost | undefined;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>(
    (resolve) => (timer = setTimeout(() => resolve('deadline'), settings.deadlineMs)),
  );
  const work = (async (): Promise<HostOutcome> => {
    host = await SshHost.connect(target.ssh, ssh);
    const started = new Date();
    const source = settings.shared ?? (await readHostConfig(host, target.configPath));
    const config = configWithOverrides(source, target.overrides, host.name);
    const entries = entriesFor(config, settings.only);
    // the daemon's disable lock is read beside the checks (no extra wait); a host lost meanwhile is the checks' to report
    const [report, lock] = await Promise.all([
      runChecks(host, entries, ctx),
      lockNote(host, lockPathOf(config.lifecycle), ctx.now()).catch(() => undefined),
    ]);
    const plan = settings.plans
      ? await hostPlan(host, target, settings.plans.configPath, source.text, entries, report, started)
      : undefined;
    return { report: lock ? { ...report, lock } : report, stats: host.stats, ...(plan ? { plan } : {}) };
  })();
  try {
    const first = await Promise.race([
      work.then(
        (o) => ({ o }),
        (err: unknown) => ({ err }),
      ),
      deadline,
    ]);
    if (first !== 'deadline') return 'o' in first ? first.o : failure(name, first.err, host);
    // past the deadline: every request of this host fails from now on, so its checks finish at once as failed
    const why = new RunnerError(`deadline: ${name} did not finish within ${settings.deadlineMs / 1000}s`);
    if (!host) {
      // still connecting: let the connect attempt end on its own timeout, then hang up
      void work.then(
        () => (host as SshHost | undefined)?.close(),
        () => undefined,
      );
      return failure(name, why, undefined);
    }
    (host as SshHost).abort(why);
    return await work.catch((err: unknown) => failure(name, err, host));
  } finally {
    clearTimeout(timer);
    await (host as SshHost | undefined)?.close();
  }
}

/** A host that failed before its checks ran: unreachable (with the reason), past its deadline while connecting, or its config. */
function failure(name: string, err: unknown, host: SshHost | undefined): HostOutcome {
  const stats = host ? { stats: host.stats } : {};
  const failure: HostFailure =
    err instanceof HostUnreachableError
      ? err.failure
      : { stage: host ? 'config' : 'connect', detail: describeError(err) };
  return { report: { host: name, results: [], failure }, ...stats };
}

/**
 * A drifted host's plan, as `runner apply --plan` on it accepts: its machine id and the hash of the config text
 * the audit used, which names the path the apply must read (runner_config, or --config's path on every host).
 */
async function hostPlan(
  host: SshHost,
  target: AuditTarget,
  shared: string | undefined,
  configText: string,
  entries: readonly CheckEntry[],
  report: HostReport,
  started: Date,
): Promise<PlanFile | { none: string }> {
  if (!report.results.some((r) => r.status === 'drift')) return { none: 'no drift' };
  // runner apply on the host knows nothing of inventory vars: its checks would not be the audited ones
  if (target.overrides !== undefined)
    return { none: 'runner_checks overrides its config: apply --plan on the host would run other options' };
  return remoteOrigin(host, configText).then(
    (origin) => planFileOf(origin, shared ?? target.configPath, entries, report.results, started),
    (err: unknown) => ({ none: describeError(err) }),
  );
}
