import { decodeBytes } from '../../core/bytes.js';
import type { CommandResult } from '../../core/types.js';

/** Default caps of one request's output: past them the bytes are dropped, so a flood costs the controller no memory. */
export const MAX_STDOUT = 64 * 1024 * 1024;
export const MAX_STDERR = 1024 * 1024;

/** Per-request overrides of the caps, in bytes. */
export interface OutputLimits {
  maxStdout?: number;
  maxStderr?: number;
}

/** One stream of one request: its chunks while within `limit` bytes (+ `slack` of framing); past it, only counted. */
export class Capped {
  private chunks: Buffer[] = [];
  size = 0;

  constructor(
    readonly name: 'stdout' | 'stderr',
    private cap: number,
    private readonly slack = 0,
  ) {}

  get over(): boolean {
    return this.size > this.cap + this.slack;
  }

  get limit(): number {
    return this.cap;
  }

  set limit(cap: number) {
    this.cap = cap;
    if (this.over) this.chunks = [];
  }

  push(data: Buffer): void {
    if (data.length === 0) return;
    this.size += data.length;
    if (this.over) this.chunks = [];
    else this.chunks.push(data);
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/**
 * The result of a finished request, decoded without loss (src/core/bytes.ts). A stream past its cap makes it a
 * failure: no exit code, `truncated`, and a stderr that says which stream and how large it was allowed to be.
 */
export function resultOf(
  exitCode: number | undefined,
  out: Capped,
  err: Capped,
  extra: Partial<CommandResult> = {},
): CommandResult {
  const stdout = out.over ? '' : decodeBytes(out.bytes());
  if (out.over || err.over) return overflowed(out.over ? out : err, stdout, extra);
  return { exitCode, stdout, stderr: decodeBytes(err.bytes()), timedOut: false, ...extra };
}

export function overflowed(stream: Capped, stdout: string, extra: Partial<CommandResult> = {}): CommandResult {
  const stderr = `${stream.name}: output larger than ${stream.limit} bytes: dropped`;
  return { exitCode: undefined, stdout, stderr, timedOut: false, ...extra, truncated: true };
}
