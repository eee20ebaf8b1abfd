import { formatDuration } from '../../core/units.js';
import { RunnerError } from '../../core/errors.js';
import type { Check, Finding, ReadHost } from '../../core/types.js';
import { runIsolated } from '../../host/isolated.js';
import { locate } from './locate.js';
import { errorLines, judge, lockMessage, parseSummary, pendingResources, type RunSummary } from './parse.js';
import { puppetFingerprint } from './fingerprint.js';
import { PuppetOptions, type PuppetPlan } from './schema.js';

export const puppet: Check<PuppetOptions, PuppetPlan> = {
  id: 'puppet',
  summary:
    "checks puppet's last run (age, failures, pending changes), optionally with a fresh --noop run; runs puppet to fix",
  options: PuppetOptions,
  async probe(host, opts, ctx): Promise<Finding<PuppetPlan>> {
    // the lock and the last summary, read together; a --noop run only once the lock is known to be absent
    const where = await locate(host, opts);
    if (where === undefined) return { state: 'skipped', summary: `puppet is not installed here (no ${opts.command})` };
    if (where.lockText !== null)
      throw new RunnerError(`puppet agent is disabled (${where.lock}): ${lockMessage(where.lockText)}`);
    const last = where.summaryText === null ? undefined : parseSummary(where.summaryText, where.summary);
    const { summary, pending } = opts.noop
      ? await noopRun(host, opts, where.summary, last?.lastRun)
      : { summary: last, pending: [] };
    const reasons = summary
      ? judge(summary, ctx.now().getTime(), opts.max_age)
      : [`no run recorded (${where.summary} is missing)`];
    if (reasons.length === 0) {
      const age = formatDuration(ctx.now().getTime() - (summary?.lastRun ?? 0) * 1000);
      return { state: 'ok', summary: `last run ${age} ago: ${summary?.total} resources, none failed or out of sync` };
    }
    // the run a plan answers: a new summary (a run since) or a --noop run finding other changes voids it
    const seen = opts.noop ? {} : { summaryMtime: (await host.lstat(where.summary))?.mtimeMs ?? null };
    const plan: PuppetPlan = { summary: where.summary, reasons, pending, argv: fixArgv(opts), ...seen };
    return { state: 'drift', summary: `${reasons.join('; ')}: run ${plan.argv.slice(0, 2).join(' ')}`, plan };
  },
  fingerprint: puppetFingerprint,
  explain(plan) {
    return [
      ...plan.reasons.map((r) => `- ${r}`),
      ...plan.pending.map((r) => `- would change ${r}`),
      `- run: ${plan.argv.join(' ')}  (in its own pid namespace, under a timeout)`,
    ];
  },
};

/** The fix: one real run; exit 0 or 2 means it applied. */
export function fixArgv(opts: PuppetOptions): string[] {
  if (opts.manifest)
    return [opts.command, 'apply', '--detailed-exitcodes', '--color=false', ...opts.args, opts.manifest];
  return [opts.command, 'agent', '--onetime', '--no-daemonize', '--detailed-exitcodes', '--color=false', ...opts.args];
}

function noopArgv(opts: PuppetOptions): string[] {
  if (opts.manifest) return [opts.command, 'apply', '--noop', '--color=false', ...opts.args, opts.manifest];
  return [opts.command, 'agent', '--test', '--noop', '--color=false', ...opts.args];
}

/** Runs puppet under `timeout`, in a pid namespace, so a hung run is stopped with all it started; throws when it timed out. */
async function readSummary(host: ReadHost, path: string): Promise<RunSummary | undefined> {
  const text = await host.readFile(path);
  return text === null ? undefined : parseSummary(text, path);
}

/** A --noop run judged by the summary it writes (its exit code is 0 even with pending changes); a stale one is an error. */
async function noopRun(
  host: ReadHost,
  opts: PuppetOptions,
  path: string,
  before: number | undefined,
): Promise<{ summary: RunSummary; pending: string[] }> {
  const argv = noopArgv(opts);
  const run = await runIsolated(host, argv, opts.timeout);
  const after = await readSummary(host, path);
  if (after?.lastRun === undefined || (before !== undefined && after.lastRun <= before)) {
    const errors = errorLines(run.output).join(' / ') || `exit ${run.exitCode}`;
    throw new RunnerError(`'${argv.slice(0, 2).join(' ')} --noop' wrote no fresh ${path}: ${errors}`);
  }
  return { summary: after, pending: pendingResources(run.output) };
}
