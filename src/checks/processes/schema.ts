import { z } from 'zod';
import { Duration } from '../../config/units.js';
import { UserList } from '../../core/users.js';

const AbsolutePath = z.string().refine((p) => p.startsWith('/'), { message: 'expected an absolute path' });

export const ProcessesOptions = z
  .object({
    users: UserList,
    allow: z.array(z.string().min(1)).default([]).describe('globs on the whole command line never killed, e.g. "/usr/bin/Xvfb *"'),
    baseline: AbsolutePath.default('/run/runner/processes.baseline').describe(
      'the baseline file; under /run it is gone after a reboot, so each boot records a fresh one',
    ),
    min_age: Duration.prefault('10s').describe('processes younger than this are never killed (a job racing the check)'),
    grace: Duration.prefault('5s').describe('how long to wait after SIGTERM before SIGKILL'),
    protect: z
      .array(z.union([z.number().int().min(2), AbsolutePath]))
      .default([])
      .describe('pids, or pid files, whose processes and descendants are never touched; a missing pid file protects nothing'),
  })
  .strict();

export type ProcessesOptions = z.output<typeof ProcessesOptions>;

/** One process as `ps` shows it. */
export interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  uid: number;
  /** seconds since it started */
  etimes: number;
  /** ps STAT: R, S, D, T, Z, … with modifiers */
  stat: string;
  args: string;
}

/** A process the kill plan names; `startedAtMs` lets apply refuse a pid reused since the probe. */
export interface Stray {
  pid: number;
  ppid: number;
  pgid: number;
  uid: number;
  user: string;
  ageS: number;
  stat: string;
  args: string;
  /** every live process of its group is stray: the group is signalled as a whole */
  wholeGroup: boolean;
  startedAtMs: number;
}

/** `count` processes of `uid` with exactly this command line were running when the baseline was taken. */
export interface BaselineEntry {
  uid: number;
  args: string;
  count: number;
}

export interface Baseline {
  uids: number[];
  entries: BaselineEntry[];
}

export type ProcessesPlan =
  | { action: 'record'; baseline: string; uids: number[]; entries: (BaselineEntry & { user: string })[]; processes: number }
  | { action: 'kill'; baseline: string; strays: Stray[]; groups: number[] };
