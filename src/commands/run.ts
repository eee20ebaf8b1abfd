import { hostname } from 'node:os';
import { configPath, loadConfig } from '../config/load.js';
import { entriesFor } from '../config/entries.js';
import { makeContext } from '../core/context.js';
import { ConfigError } from '../core/errors.js';
import { runChecks } from '../core/run-check.js';
import type { Mode } from '../core/types.js';
import { LocalHost } from '../host/local.js';
import { lockNote } from '../core/lock.js';
import { lockPathOf, stateDirOf } from '../config/lifecycle.js';
import { ensureRootDir } from '../lifecycle/root-dir.js';
import { Ledger } from '../remediations/pending/ledger.js';
import { pendingNote } from '../remediations/pending/summary.js';
import { makeDocument } from '../report/document.js';
import { renderRunMetrics } from '../report/run-prometheus.js';
import { emit, exitCodeOf, type OutputOptions } from './output.js';
import type { Io } from '../core/io.js';
import { cachedFetch } from '../host/http.js';

export interface RunOptions extends OutputOptions {
  config?: string;
  only?: string[];
  rebaseline?: boolean;
  /** rename what the fixes delete and record it in the state dir's ledger; the daemon deletes it in the background */
  deferDeletes?: boolean;
  /** also write the run's Prometheus series here (atomically: temp file + rename) */
  textfile?: string;
  /** check: also write the drifted checks' plans, fingerprinted, to this file (`apply --plan` runs them) */
  planOut?: string;
  /** apply: run exactly this plan file's plans, or nothing */
  plan?: string;
  maxPlanAge?: number;
}

/** `runner check` / `runner apply` on this machine; returns the exit code. */
export async function runLocal(mode: Mode, opts: RunOptions, io: Io): Promise<number> {
  if (mode === 'apply' && opts.plan !== undefined) {
    planConflicts(opts);
    return (await import('./plan.js')).applyPlanFile({ ...opts, plan: opts.plan }, io);
  }
  if (opts.planOut !== undefined && opts.deferDeletes)
    throw new ConfigError('--plan-out with --defer-deletes: a plan file holds plans that delete at once; drop one');
  const config = await loadConfig(configPath(opts.config, io.env));
  const entries = entriesFor(config, opts.only);
  // thrown, so that runCli tells it as every bad config is told (--format nagios: UNKNOWN, exit 3)
  if (entries.length === 0) throw new ConfigError(`nothing to run: ${config.file} configures no checks`);
  const daemonFile = (config.lifecycle as { textfile?: string } | undefined)?.textfile;
  // one writer per file: node_exporter would see the daemon's series and these replace each other
  if (opts.textfile !== undefined && opts.textfile === daemonFile)
    throw new ConfigError(`--textfile ${opts.textfile}: the daemon's lifecycle.textfile; name a file of its own`);
  const started = new Date();
  const host = new LocalHost(hostname());
  const stateDir = stateDirOf(config.lifecycle);
  // the ledger steers deletions: only a dir that root alone can write may hold it
  if (opts.deferDeletes && mode === 'apply')
    await ensureRootDir(host, stateDir, `${config.file}: lifecycle.state_dir (--defer-deletes)`);
  const pending = opts.deferDeletes ? { pending: await Ledger.open(host, stateDir) } : {};
  const report = await runChecks(
    host,
    entries,
    makeContext(mode, io, cachedFetch(), { rebaseline: opts.rebaseline === true, ...pending }),
  );
  const [lock, deferred] = await Promise.all([
    lockNote(host, lockPathOf(config.lifecycle), new Date()),
    pendingNote(host, stateDir),
  ]);
  const doc = makeDocument(mode, started, [
    { ...report, ...(lock ? { lock } : {}), ...(deferred ? { pending: deferred } : {}) },
  ]);
  // readable by node_exporter's user; replaced by rename, never written through a link
  if (opts.textfile)
    await host.writeFile(opts.textfile, renderRunMetrics(doc), { mode: 0o644 }).catch((err: Error) => {
      throw new Error(`--textfile ${opts.textfile}: ${err.message}`);
    });
  if (opts.planOut !== undefined)
    await (await import('./plan.js')).writePlanOut(opts.planOut, host, config, entries, report, started);
  await host.close();
  await emit(doc, opts, io, { plans: mode === 'check' });
  return exitCodeOf(doc, opts);
}

/** --plan runs the saved plans as they are: options that would change what runs are refused. */
function planConflicts(opts: RunOptions): void {
  const bad = [
    opts.only ? '--only' : '',
    opts.rebaseline ? '--rebaseline' : '',
    opts.deferDeletes ? '--defer-deletes' : '',
    opts.textfile ? '--textfile' : '',
  ].filter(Boolean);
  if (bad.length)
    throw new ConfigError(`--plan with ${bad.join(', ')}: a plan runs as it was made; drop ${bad.join(', ')}`);
}
