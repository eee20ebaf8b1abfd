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
}

/** `runner check` / `runner apply` on this machine; returns the exit code. */
export async function runLocal(mode: Mode, opts: RunOptions, io: Io): Promise<number> {
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
  await host.close();
  await emit(doc, opts, io, { plans: mode === 'check' });
  return exitCodeOf(doc, opts);
}
