import type { Checkout, Target } from '../../checks/tools/schema.js';
import type { VcsRun } from '../../host/vcs-run.js';
import { gitFix } from './git.js';
import { hgFix } from './hg.js';

/** What the tools fix does with hg or git: every verb that changes a checkout. */
export interface VcsFix {
  /** a clone without a working copy into the existing empty dir `dest` */
  clone(run: VcsRun, co: Checkout, dest: string, share: string | undefined): Promise<void>;
  pull(run: VcsRun, co: Checkout, cwd: string): Promise<void>;
  /** the working copy at the target; local changes discarded, untracked files removed when `clean` */
  update(run: VcsRun, cwd: string, target: Target, clean: boolean): Promise<void>;
}

export const FIXES: Record<Checkout['vcs'], VcsFix> = { hg: hgFix, git: gitFix };
