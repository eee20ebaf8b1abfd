import { describe, expect, it } from 'vitest';
import { Frames } from '../../src/host/ssh/frames.js';

const needle = Buffer.from('\0abcdefgh\0', 'latin1');
// answers whose bodies hold needle fragments, NULs and bytes that are not UTF-8
const bodies = [
  Buffer.from('one'),
  Buffer.alloc(0),
  Buffer.from('\0abcdefg\0abc\0', 'latin1'),
  Buffer.from([0xff, 0xfe, 0, 0x80]),
  Buffer.from('a'.repeat(40)),
];
const stream = Buffer.concat(bodies.flatMap((b) => [b, needle]));

function feed(chunks: Buffer[], limit = 1000): string[] {
  const f = new Frames('stdout', needle, limit);
  for (let i = 0; i < bodies.length; i++) f.expect(limit);
  for (const c of chunks) f.push(c);
  return f.done.map((c) => (c.over ? `over ${c.size}` : c.bytes().toString('latin1')));
}

const expected = bodies.map((b) => b.toString('latin1'));

describe('Frames: one stream of a remote shell cut into answers', () => {
  it('finds every answer whatever two chunks the stream arrives in (split at every byte)', () => {
    for (let i = 0; i <= stream.length; i++) {
      expect(feed([stream.subarray(0, i), stream.subarray(i)]), `split at ${i}`).toEqual(expected);
    }
  });

  it('finds every answer when the stream arrives a byte at a time, and in every three-way split of a needle', () => {
    expect(feed([...stream].map((b) => Buffer.of(b)))).toEqual(expected);
    const start = stream.indexOf(needle);
    for (let a = start; a <= start + needle.length; a++) {
      for (let b = a; b <= start + needle.length; b++) {
        expect(feed([stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]), `${a}/${b}`).toEqual(expected);
      }
    }
  });

  it('counts and drops an answer past its cap, and the next answers are whole', () => {
    const f = new Frames('stdout', needle, 1000);
    f.expect(10);
    f.expect(10);
    f.push(Buffer.from('x'.repeat(4000)));
    f.push(Buffer.concat([Buffer.from('x'.repeat(4000)), needle, Buffer.from('ok'), needle]));
    expect(f.done.map((c) => [c.over, c.size])).toEqual([
      [true, 8000],
      [false, 2],
    ]);
    expect(f.done[1]?.bytes().toString()).toBe('ok');
  });

  it('keeps exactly the cap, and fails one byte past it', () => {
    const f = new Frames('stderr', needle, 1000);
    f.expect(5);
    f.expect(5);
    f.push(Buffer.concat([Buffer.from('12345'), needle, Buffer.from('123456'), needle]));
    expect(f.done.map((c) => c.over)).toEqual([false, true]);
  });

  it('counts every byte of 64 MiB arriving in 32 KiB chunks', () => {
    const f = new Frames('stdout', needle, 1 << 30);
    f.expect(1 << 30);
    const chunk = Buffer.alloc(32 * 1024, 0x61);
    // 2048 chunks: a reader that re-copied or re-scanned what it held (main before this) ends at the test timeout
    for (let i = 0; i < 2048; i++) f.push(chunk);
    f.push(needle);
    expect(f.done[0]?.size).toBe(64 * 1024 * 1024);
  });
});
