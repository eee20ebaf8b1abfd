import type { VcsRun } from '../../host/vcs-run.js';
import type { Facts } from './facts.js';
import type { Checkout, Target } from './schema.js';

/** What the tools check reads from hg or git (its fix's clone, pull and update are in src/remediations/tools/). */
export interface Vcs {
  /** the wanted revision, looked up read-only (at the remote when the config names a branch or a tag) */
  target(run: VcsRun, co: Checkout, facts: Facts | undefined): Promise<Target>;
}
