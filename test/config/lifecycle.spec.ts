import { describe, expect, it } from 'vitest';
import { configJsonSchema, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { lifecyclePaths, workerCommand } from '../../src/config/lifecycle.js';

const CHECKS =
  'checks:\n  - clobber: { dir: /builds/worker, feed: /etc/feed.json }\n  - purge: { dirs: [/builds/worker] }\n';

function problems(text: string): string[] {
  try {
    parseConfig(text, 'runner.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

describe('config: lifecycle', () => {
  it('fills in the documented defaults', () => {
    const { lifecycle } = parseConfig(`${CHECKS}lifecycle:\n  worker: { basedir: /builds/worker }\n`, 'runner.yaml');
    expect(lifecycle).toEqual({
      preflight: 'all',
      postflight: [],
      worker: { basedir: '/builds/worker', env: {}, log_format: 'buildbot-3' },
      attach_timeout: 120_000,
      drain: { after_first_job: true, via: 'stamp', deadline: 6 * 3600e3, stop_grace: 10_000 },
      retry: { tries: 5, base: 60_000, factor: 1.5, cap: 600_000, jitter: 30_000 },
      defer_deletes: true,
      state_dir: '/var/lib/runner',
      lock_poll: 30_000,
      events_stdout: false,
    });
    expect(workerCommand(lifecycle!.worker)).toEqual(['buildbot-worker', 'start', '--nodaemon', '/builds/worker']);
    expect(lifecyclePaths(lifecycle!)).toEqual({
      lock: '/var/lib/runner/disabled.json',
      lastRun: '/var/lib/runner/last_run.json',
      events: '/var/lib/runner/events.jsonl',
      pidFile: '/var/lib/runner/worker.pid',
    });
  });

  it('reads the DESIGN example', () => {
    const text = `${CHECKS}lifecycle:
  preflight: all
  postflight: [purge]
  worker: { basedir: /builds/worker, user: cltbld, command: [buildbot-worker, start, --nodaemon, /builds/worker] }
  attach_timeout: 2m
  drain: { after_first_job: true, max_session: 30m, via: signal, deadline: 6h }
  iterations: 30
  retry: { tries: 5, base: 60s, jitter: 30s, factor: 1.5, cap: 10m }
  halt: [systemctl, reboot]
`;
    const { lifecycle } = parseConfig(text, 'runner.yaml');
    expect(lifecycle).toMatchObject({
      postflight: ['purge'],
      iterations: 30,
      halt: ['systemctl', 'reboot'],
      drain: { max_session: 1_800_000, via: 'signal' },
    });
  });

  it('a config without lifecycle: is still valid (check, apply and audit need none)', () => {
    expect(parseConfig(CHECKS, 'runner.yaml')).toEqual({ file: 'runner.yaml', checks: expect.any(Array) });
  });

  it('names the file, line, column and field of every problem', () => {
    const text = `${CHECKS}lifecycle:
  postflight: [purge, processes]
  worker: { user: cltbld }
  attach_timeout: soon
  drain: { via: smoke, drain_now: true }
  retry: { tries: 0 }
`;
    expect(problems(text)).toEqual([
      'runner.yaml:6:11: lifecycle.worker.basedir: required (string)',
      'runner.yaml:7:19: lifecycle.attach_timeout: expected a duration like 30m, got "soon"',
      'runner.yaml:8:17: lifecycle.drain.via: Invalid option: expected one of "stamp"|"signal"',
      'runner.yaml:8:35: lifecycle.drain.drain_now: unknown key',
      'runner.yaml:9:19: lifecycle.retry.tries: Too small: expected number to be >=1',
    ]);
  });

  it('pre- and post-flight may only name configured checks', () => {
    const text = `${CHECKS}lifecycle:\n  postflight: [purge, processes]\n  worker: { basedir: /w }\n`;
    expect(problems(text)).toEqual([
      "runner.yaml:5:23: lifecycle.postflight[1]: 'processes' is not one of the configured checks (clobber, purge)",
    ]);
  });

  it('is in the JSON Schema, with descriptions', () => {
    const schema = configJsonSchema() as {
      properties: Record<string, { properties: Record<string, { description?: string }> }>;
    };
    const lc = schema.properties.lifecycle?.properties ?? {};
    expect(Object.keys(lc)).toEqual(expect.arrayContaining(['worker', 'drain', 'retry', 'halt', 'lock', 'textfile']));
    expect(lc.attach_timeout?.description).toMatch(/attach/);
  });
});
