import { hostname } from 'node:os';
import { configPath, loadConfig } from '../config/load.js';
import { entriesFor } from '../core/entries.js';
import { runChecks } from '../core/run-check.js';
import type { Context, Mode } from '../core/types.js';
import { cachedFetch } from '../host/http.js';
import { LocalHost } from '../host/local.js';
import { describeLock, readLock } from '../lifecycle/lock.js';
import { lockPathOf } from '../lifecycle/schema.js';
import { makeDocument } from '../report/document.js';
import { emit, type OutputOptions } from './output.js';
import type { Io } from './io.js';

export interface RunOptions extends OutputOptions {
  config?: string;
  only?: string[];
  rebaseline?: boolean;
}

/** `runner check` / `runner apply` on this machine; returns the exit code. */
export async function runLocal(mode: Mode, opts: RunOptions, io: Io): Promise<number> {
  const config = await loadConfig(configPath(opts.config, io.env));
  const entries = entriesFor(config, opts.only);
  if (entries.length === 0) {
    io.stderr.write(`runner: nothing to run: ${config.file} configures no checks\n`);
    return 1;
  }
  const started = new Date();
  const host = new LocalHost(hostname());
  const report = await runChecks(host, entries, makeContext(mode, io, { rebaseline: opts.rebaseline === true }));
  const lockPath = lockPathOf(config.lifecycle);
  const lock = await readLock(host, lockPath, new Date());
  await host.close();
  const doc = makeDocument(mode, started, [report]);
  // the daemon's disable lock is reported, never acted on here
  if (lock.state !== 'none') doc.lock = { path: lockPath, ...lock, summary: describeLock(lock, lockPath, new Date()) };
  await emit(doc, opts, io, { plans: mode === 'check' });
  return doc.exitCode;
}

export function makeContext(mode: Mode, io: Io, extra: Pick<Context, 'rebaseline'> = {}): Context {
  return {
    ...extra,
    mode,
    now: () => new Date(),
    signal: io.signal,
    log: (line) => io.stderr.write(`runner: ${line}\n`),
    fetchText: cachedFetch(),
  };
}
