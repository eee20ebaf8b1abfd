import * as z from 'zod';
import { AbsolutePath } from '../../core/path-rules.js';
import { Duration } from '../../core/units.js';

export const PuppetOptions = z
  .object({
    summary: AbsolutePath.optional().describe(
      'last_run_summary.yaml; default: the puppetlabs AIO or Debian path, whichever exists, else what `puppet config print lastrunfile` says',
    ),
    lock: AbsolutePath.optional().describe(
      "agent_disabled.lock; default: where the summary's or else the installed package (AIO, Debian) keeps it, else what `puppet config print agent_disabled_lockfile` says",
    ),
    max_age: Duration.prefault('4h').describe('a last run older than this is drift'),
    noop: z
      .boolean()
      .default(false)
      .describe("also run puppet --noop and judge its fresh summary (rewrites puppet's own state files)"),
    manifest: AbsolutePath.optional().describe('run `puppet apply MANIFEST` instead of `puppet agent`'),
    args: z.array(z.string()).default([]).describe('more arguments for every puppet command, e.g. --confdir DIR'),
    command: z.string().min(1).default('puppet').describe('the puppet executable, e.g. /opt/puppetlabs/bin/puppet'),
    timeout: Duration.prefault('30m').describe('a puppet run taking longer is stopped, with everything it started'),
  })
  .strict();

export type PuppetOptions = z.output<typeof PuppetOptions>;

export interface PuppetPlan {
  /** the summary the verdict came from */
  summary: string;
  /** why puppet must run, e.g. "last run 5h ago (max_age 4h)" */
  reasons: string[];
  /** resources a --noop run would change, e.g. "File[/etc/motd]/content" */
  pending: string[];
  /** exactly what apply runs (under a timeout that stops its process group) */
  argv: string[];
  /** the summary's mtime (ms; null: no summary) when judged as found, not rewritten by a --noop run */
  summaryMtime?: number | null;
}
