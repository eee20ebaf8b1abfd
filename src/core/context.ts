import { runMemo } from './memo.js';
import { printable } from './text.js';
import type { Context, Mode } from './types.js';

/** What a run needs from its process: the interrupt signal and somewhere to log. */
export interface RunEnv {
  signal: AbortSignal;
  stderr: { write(text: string): unknown };
}

/**
 * The Context of one run: the clock, the interrupt signal, one-line logs on stderr, one fetch per URL and a
 * memo of its own (nothing is remembered from one run to the next).
 */
export function makeContext(
  mode: Mode,
  env: RunEnv,
  fetchText: Context['fetchText'],
  extra: Pick<Context, 'rebaseline' | 'pending'> = {},
): Context {
  return {
    ...extra,
    mode,
    now: () => new Date(),
    signal: env.signal,
    log: (line) => env.stderr.write(`runner: ${printable(line)}\n`),
    fetchText,
    once: runMemo(),
  };
}
