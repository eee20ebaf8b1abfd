import { EXIT } from '../core/outcome.js';
import { DAEMON_EXIT } from './exit.js';
import type { SessionOutcome } from './run-session.js';

/** How a worker session really ended: what the `stopped` line and, after a signal, the exit code say. */
export type SessionEnd = 'not-started' | 'not-attached' | 'idle' | 'drained' | 'killed' | 'crashed';

export interface Ending {
  end: SessionEnd;
  text: string;
}

/** Pure: from what the session machine saw (who stopped the worker, whether it acknowledged a drain) and its exit. */
export function sessionEnding(o: SessionOutcome): Ending {
  const builds = `${o.builds} build${o.builds === 1 ? '' : 's'} started`;
  if (o.pid === undefined) return { end: 'not-started', text: `the worker did not start: ${o.why ?? o.failure}` };
  if (!o.attached) return { end: 'not-attached', text: 'the worker had not attached, so no build ran' };
  switch (o.stopped) {
    case 'idle':
      return { end: 'idle', text: 'the worker was idle: stopped at once by SIGTERM, no build lost' };
    case 'deadline':
      return {
        end: 'killed',
        text: `the worker's session was killed at the drain deadline, not drained (${builds}; a running build was lost)`,
      };
    case 'interrupt-hard':
      return {
        end: 'killed',
        text: `the worker's session was killed at once by a second signal (${builds}; a running build was lost)`,
      };
    case 'drain-failed':
      return { end: 'killed', text: `the worker's session was killed: no drain could be requested (${builds})` };
    case 'lost':
      return {
        end: 'killed',
        text: 'the worker was stopped: its connection to the master was lost and did not come back',
      };
    default:
      break;
  }
  const exit = o.exit?.signal ? `was killed by ${o.exit.signal}` : `exited ${o.exit?.code}`;
  if (o.acknowledged && o.exit?.code === 0)
    return { end: 'drained', text: `the worker was drained: it ${exit} (${builds})` };
  const when = o.acknowledged ? 'while draining' : 'before draining';
  return { end: 'crashed', text: `the worker crashed: it ${exit} ${when}, on its own (${builds})` };
}

/** The exit code after a signal: 0 only when nothing was lost (drained, idle, or never attached). */
export function signalledExit(end: SessionEnd): number {
  if (end === 'killed') return DAEMON_EXIT.killed;
  if (end === 'crashed') return DAEMON_EXIT.crashed;
  return EXIT.ok;
}
