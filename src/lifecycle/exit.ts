/**
 * Exit codes of `runner daemon` beyond the shared ones (0 ok, 1 nothing ran; --once: bits 2 and 4).
 * Above 15 so they never read as a combination of the check bits.
 */
export const DAEMON_EXIT = {
  /** halted (iterations done, tries exhausted or a check asked for it) and no `halt` command is configured */
  halted: 16,
  /** the `halt` command ran and failed: its exit code and output are in the events */
  haltFailed: 17,
  /** stopped by a signal, but the worker's session was killed before it drained (at the drain deadline, say) */
  killed: 18,
  /** stopped by a signal, and the worker exited on its own without draining (crashed, or killed by someone else) */
  crashed: 19,
  /** a second SIGTERM/SIGINT: the worker's session was killed at once */
  hardStop: 130,
} as const;
