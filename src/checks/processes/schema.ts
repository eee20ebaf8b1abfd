import * as z from 'zod';
import { Duration } from '../../core/units.js';
import { UserList } from '../../core/users.js';
import { AbsolutePath } from '../../core/path-rules.js';

/** `/absolute/program [args glob]`: the program is compared with /proc/PID/exe, so it is a plain path, no glob. */
const AllowEntry = z.string().superRefine((entry, ctx) => {
  const program = programOf(entry);
  if (!program.startsWith('/') || /[*?[]/.test(program)) {
    ctx.addIssue({ code: 'custom', message: `expected "/absolute/program [args glob]", got ${JSON.stringify(entry)}` });
  }
});

/** The first word of an allow entry: the program whose executable a process must run. */
export function programOf(entry: string): string {
  return entry.split(' ', 1)[0] as string;
}

export const ProcessesOptions = z
  .object({
    users: UserList,
    allow: z
      .array(AllowEntry)
      .default([])
      .describe(
        'never killed: "/absolute/program [args glob]", e.g. "/usr/bin/Xvfb *": the executable must be that program, the command line match the glob',
      ),
    baseline: AbsolutePath.default('/run/runner/processes.baseline').describe(
      'the baseline file; under /run it is gone after a reboot, so each boot records a fresh one',
    ),
    min_age: Duration.prefault('10s').describe('processes younger than this are never killed (a job racing the check)'),
    grace: Duration.prefault('5s').describe('how long to wait after SIGTERM before SIGKILL'),
    protect: z
      .array(z.union([z.number().int().min(2), AbsolutePath]))
      .default([])
      .describe(
        'pids, or pid files, whose processes and descendants are never touched; a missing pid file protects nothing',
      ),
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
  /** start time, clock ticks since boot (/proc/PID/stat field 22); absent when it started after the probe read stat */
  start?: number;
  /** the /proc/PID/exe link; absent when unreadable (another user's process, a kernel thread) or the file is deleted */
  exe?: string;
}

/** A process the kill plan names; `start` lets apply refuse a pid reused since the probe. */
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
  /** clock ticks since boot: apply signals the pid only while /proc/PID/stat still says this */
  start: number;
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
  | {
      action: 'record';
      baseline: string;
      uids: number[];
      entries: (BaselineEntry & { user: string })[];
      processes: number;
    }
  | { action: 'kill'; baseline: string; strays: Stray[]; groups: number[] };
