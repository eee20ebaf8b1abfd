import type { SessionConfig, SessionState } from './session.js';

/** Why an idle worker draining by stamp is stopped by SIGTERM instead (the `stopping` event's detail). */
export const IDLE_STOP =
  'no build has started: SIGTERM now, since the worker would notice shutdown.stamp only within 10 s';

/**
 * A stamp drain would leave a window: true when the worker is attached and has run no build in this session.
 * After a build the worker logs nothing when it ends, so idle cannot be told from busy (README: the window).
 */
export function isIdle(cfg: SessionConfig, s: SessionState): boolean {
  return cfg.via === 'stamp' && s.everAttached && s.builds === 0 && s.phase !== 'starting';
}
