import type { VcsRun } from '../../host/vcs-run.js';
import type { Facts } from './facts.js';
import type { AskRemote } from './remote.js';
import type { Checkout, Target } from './schema.js';

/** What the tools check reads from hg or git (its fix's clone, pull and update are in src/remediations/tools/). */
export interface Vcs {
  /**
   * The wanted revision, looked up read-only: at the remote through `ask` (shared by the hosts of a run), in
   * the local checkout through `run`.
   */
  target(ask: AskRemote, run: VcsRun, co: Checkout, facts: Facts | undefined): Promise<Target>;
}
