import { join } from 'node:path';
import * as z from 'zod';
import { AbsolutePath, BaseDir } from '../core/path-rules.js';
import { Duration } from '../core/units.js';

/** The twistd.log dialects the daemon knows (their lines: src/lifecycle/log-patterns.ts). */
export const LOG_FORMATS = ['buildbot-3', 'buildbot-4', 'buildbot-0.8'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const DEFAULT_STATE_DIR = '/var/lib/runner';

const Argv = z.array(z.string().min(1)).min(1);
const CheckIds = z.union([z.literal('all'), z.array(z.string().min(1))]);

const Worker = z
  .object({
    basedir: BaseDir.describe('the buildbot worker directory (holds buildbot.tac, twistd.log, shutdown.stamp)'),
    user: z
      .string()
      .min(1)
      .optional()
      .describe('run the worker as this user (setpriv with its groups); default: as runner'),
    command: Argv.optional().describe(
      'argv that runs the worker in the foreground; default buildbot-worker start --nodaemon BASEDIR',
    ),
    env: z
      .record(z.string(), z.string())
      .default({})
      .describe('extra environment; the worker otherwise gets only PATH, HOME, USER, LOGNAME, LANG'),
    log_format: z
      .enum(LOG_FORMATS)
      .default('buildbot-3')
      .describe('which twistd.log lines to expect: buildbot-3, buildbot-4 or buildbot-0.8'),
    pid_file: AbsolutePath.optional().describe(
      "where the running worker's pid is written (e.g. for processes.protect); default STATE_DIR/worker.pid",
    ),
  })
  .strict();

const Drain = z
  .object({
    after_first_job: z.boolean().default(true).describe('drain as soon as the first build starts'),
    max_session: Duration.optional().describe('drain after the worker has been attached this long'),
    via: z
      .enum(['stamp', 'signal'])
      .default('stamp')
      .describe(
        "stamp: touch shutdown.stamp (allow_shutdown='file', 0-10s); signal: SIGHUP (allow_shutdown='signal', at once)",
      ),
    deadline: Duration.prefault('6h').describe(
      "past this after a drain request, the worker's whole session is stopped",
    ),
    stop_grace: Duration.prefault('10s').describe('SIGTERM to SIGKILL grace when stopping the worker session'),
  })
  .strict();

const Retry = z
  .object({
    tries: z
      .number()
      .int()
      .min(1)
      .default(5)
      .describe('attempts per check (and per worker start) in one iteration, then halt'),
    base: Duration.prefault('60s').describe('delay before the second try'),
    factor: z.number().min(1).default(1.5).describe('each further delay is this many times the previous'),
    cap: Duration.prefault('10m').describe('longest delay, before jitter'),
    jitter: Duration.prefault('30s').describe('random extra delay, up to this, so a pool does not retry in step'),
  })
  .strict();

/** `lifecycle:` of runner.yaml: how `runner daemon` runs the worker between checks. */
export const LifecycleOptions = z
  .object({
    preflight: CheckIds.default('all').describe('checks run (apply mode) before each worker start: ids, or all'),
    postflight: CheckIds.default([]).describe('checks run (apply mode) after the worker stopped: ids, or all'),
    worker: Worker.describe('the buildbot worker the daemon runs'),
    attach_timeout: Duration.prefault('2m').describe(
      'the worker must attach to a master within this, or the try failed',
    ),
    drain: Drain.prefault({}).describe('when and how the worker is asked to stop'),
    iterations: z.number().int().min(1).optional().describe('halt after this many worker sessions; default: never'),
    defer_deletes: z
      .boolean()
      .default(true)
      .describe(
        'purge, clobber and temp only rename what they delete; it is deleted in the background while the worker is attached',
      ),
    retry: Retry.prefault({}).describe('capped exponential backoff with jitter; resumes at the failing check'),
    halt: Argv.optional().describe('argv run to halt, e.g. [systemctl, reboot]; without it the daemon exits 16'),
    state_dir: BaseDir.default(DEFAULT_STATE_DIR).describe(
      'holds last_run.json, events.jsonl, worker.pid and the disable lock',
    ),
    lock: AbsolutePath.optional().describe('the disable lock file; default STATE_DIR/disabled.json'),
    lock_poll: Duration.prefault('30s').describe('how often a disabled daemon re-reads the lock'),
    events_stdout: z.boolean().default(false).describe('also write each JSONL event to stdout'),
    textfile: AbsolutePath.optional().describe(
      'Prometheus textfile for node_exporter, e.g. /var/lib/node_exporter/runner.prom',
    ),
  })
  .strict();

export type Lifecycle = z.output<typeof LifecycleOptions>;

/** Files the daemon keeps, resolved from the config. */
export interface LifecyclePaths {
  lock: string;
  lastRun: string;
  events: string;
  pidFile: string;
}

export function lifecyclePaths(lc: Pick<Lifecycle, 'state_dir' | 'lock' | 'worker'>): LifecyclePaths {
  return {
    lock: lockPathOf(lc),
    lastRun: join(lc.state_dir, 'last_run.json'),
    events: join(lc.state_dir, 'events.jsonl'),
    pidFile: lc.worker.pid_file ?? join(lc.state_dir, 'worker.pid'),
  };
}

/** runner's state dir, with or without a lifecycle section (the ledger of deferred deletions lives there too). */
export function stateDirOf(lc: Pick<Lifecycle, 'state_dir'> | undefined): string {
  return lc?.state_dir ?? DEFAULT_STATE_DIR;
}

/** The disable lock of a config, with or without a lifecycle section (check and audit read it too). */
export function lockPathOf(lc: Pick<Lifecycle, 'state_dir' | 'lock'> | undefined): string {
  return lc?.lock ?? join(lc?.state_dir ?? DEFAULT_STATE_DIR, 'disabled.json');
}

/** The worker's argv: the configured command, else buildbot-worker in the foreground. */
export function workerCommand(worker: Lifecycle['worker']): string[] {
  return worker.command ?? ['buildbot-worker', 'start', '--nodaemon', worker.basedir];
}
