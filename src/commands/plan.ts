import { resolve } from 'node:path';
import { hostname } from 'node:os';
import { configPath, loadConfig, type RunnerConfig } from '../config/load.js';
import { daemonHold } from '../lifecycle/daemon-hold.js';
import { entriesFor } from '../config/entries.js';
import { makeContext } from '../core/context.js';
import { ConfigError, RunnerError } from '../core/errors.js';
import { applySaved, differences, planFileOf, probeAll } from '../core/exact-plan.js';
import { originProblems, PLAN_VERSION, PlanFile } from '../core/plan-file.js';
import type { CheckEntry } from '../core/run-check.js';
import type { HostReport } from '../core/types.js';
import type { Io } from '../core/io.js';
import { LocalHost } from '../host/local.js';
import { readText, writeText } from '../host/local-files.js';
import { planOrigin } from '../host/plan-origin.js';
import { cachedFetch } from '../host/http.js';
import { makeDocument } from '../report/document.js';
import { emit, exitCodeOf, type OutputOptions } from './output.js';

/** A plan file is a few MB at most (thousands of dirs); more is not one. */
const PLAN_MAX_BYTES = 16 * 1024 * 1024;

/** `runner check --plan-out FILE`: the drifted checks of this report, fingerprinted, with where and how they were made. */
export async function writePlanOut(
  file: string,
  host: LocalHost,
  config: { file: string },
  entries: readonly CheckEntry[],
  report: HostReport,
  started: Date,
): Promise<void> {
  const origin = await planOrigin(host, config.file);
  const doc = planFileOf(origin, resolve(config.file), entries, report.results, started);
  await writeText(file, `${JSON.stringify(doc, null, 2)}\n`).catch((err: Error) => {
    throw new RunnerError(`--plan-out ${file}: ${err.message}`);
  });
}

export interface PlannedOptions extends OutputOptions {
  config?: string;
  plan: string;
  /** milliseconds; default 1h */
  maxPlanAge?: number;
}

/**
 * `runner apply --plan FILE`: refuses a plan of another host, config or runner, or too old; probes again and
 * refuses when the host changed in anything the plan depends on; otherwise runs exactly the saved plans.
 */
export async function applyPlanFile(opts: PlannedOptions, io: Io): Promise<number> {
  const saved = await readPlan(opts.plan);
  const config = await loadConfig(configPath(opts.config, io.env));
  const started = new Date();
  const host = new LocalHost(hostname());
  try {
    const origin = await planOrigin(host, config.file);
    const wrong = originProblems(saved, origin, started, opts.maxPlanAge ?? 3_600_000);
    if (wrong.length) throw new RunnerError(`--plan ${opts.plan}: refused, nothing changed: ${wrong.join('; ')}`);
    await refuseIfHeld(host, config, opts.plan);
    const entries = entriesFor(config, saved.probed);
    const ctx = makeContext('apply', io, cachedFetch());
    const probed = await probeAll(host, entries, ctx);
    const changed = differences(saved, probed);
    if (changed.length)
      throw new RunnerError(
        `--plan ${opts.plan}: the host changed since the plan was made, nothing changed:\n${changed.map((d) => `  - ${d}`).join('\n')}`,
      );
    // again at the moment of acting: a session may have started while the host was probed
    await refuseIfHeld(host, config, opts.plan);
    const results = await applySaved(host, probed, saved, ctx);
    const doc = makeDocument('apply', started, [{ host: host.name, results }]);
    await emit(doc, opts, io, { plans: false });
    return exitCodeOf(doc, opts);
  } finally {
    await host.close();
  }
}

/** The daemon's lock and its worker session: apply --plan never interleaves with either. */
async function refuseIfHeld(host: LocalHost, config: RunnerConfig, file: string): Promise<void> {
  const held = await daemonHold(host, config, new Date());
  if (held) throw new RunnerError(`--plan ${file}: refused, nothing changed: ${held}`);
}

async function readPlan(file: string): Promise<PlanFile> {
  const text = await readText(file, `--plan ${file}`, PLAN_MAX_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`--plan ${file}: not JSON: ${(err as Error).message}`);
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (version !== PLAN_VERSION)
    throw new ConfigError(
      `--plan ${file}: version ${JSON.stringify(version)}, this runner reads plan version ${PLAN_VERSION}`,
    );
  const parsed = PlanFile.safeParse(json);
  if (!parsed.success)
    throw new ConfigError(
      `--plan ${file}: not a plan file: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
