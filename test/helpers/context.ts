import { runMemo } from '../../src/core/memo.js';
import type { Context, Mode } from '../../src/core/types.js';
import { cachedFetch } from '../../src/host/http.js';

/** A real Context for driving checks from tests. */
export function testContext(mode: Mode, now: () => Date = () => new Date()): Context {
  return { mode, now, signal: new AbortController().signal, log: () => {}, fetchText: cachedFetch(), once: runMemo() };
}
