import { Capped } from './capped.js';

const EMPTY = Buffer.alloc(0);

/**
 * One stream of a remote shell cut into answers, each ending with `needle`. Linear in its input: each byte is
 * searched once (plus the needle's length - 1 held back, so a needle split across chunks is found), kept bytes
 * are chunks, never re-copied, and each answer is capped by the limit of the request it belongs to.
 */
export class Frames {
  /** answers complete and not taken yet, in order */
  readonly done: Capped[] = [];
  /** the caps of the requests whose answers on this stream are still to come, in order */
  private readonly limits: number[] = [];
  private current: Capped;
  /** the last bytes seen, not yet kept: they may be the start of a needle */
  private held = EMPTY;

  constructor(
    private readonly name: 'stdout' | 'stderr',
    private readonly needle: Buffer,
    private readonly fallback: number,
    /** bytes of framing before the needle that do not count against the cap (the exit code) */
    private readonly slack = 0,
  ) {
    this.current = new Capped(name, fallback, slack);
  }

  /** A request was sent: the next answer not yet begun (or the one under way) is its own, capped at `limit`. */
  expect(limit: number): void {
    this.limits.push(limit);
    if (this.limits.length === 1) this.current.limit = limit;
  }

  push(data: Buffer): void {
    let work = this.held.length ? Buffer.concat([this.held, data]) : data;
    for (let at = work.indexOf(this.needle); at !== -1; at = work.indexOf(this.needle)) {
      this.current.push(work.subarray(0, at));
      this.done.push(this.current);
      this.limits.shift();
      this.current = new Capped(this.name, this.limits[0] ?? this.fallback, this.slack);
      work = work.subarray(at + this.needle.length);
    }
    const keep = Math.max(0, work.length - (this.needle.length - 1));
    this.current.push(work.subarray(0, keep));
    // a copy: a few bytes, and the chunk they came from is not kept alive by them
    this.held = Buffer.from(work.subarray(keep));
  }
}
