import { describe, expect, it } from 'vitest';
import { decodeBytes, encodeBytes } from '../../src/core/bytes.js';

// lead bytes, continuation bytes at the edges of their ranges, and bytes that never appear in UTF-8
const alphabet = [
  0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf4,
  0xf5, 0xff,
];

function* sequences(length: number): Generator<Buffer> {
  if (length === 0) return yield Buffer.alloc(0);
  for (const head of sequences(length - 1)) for (const b of alphabet) yield Buffer.concat([head, Buffer.of(b)]);
}

describe('decodeBytes on host output', () => {
  it('round-trips every sequence of up to 3 bytes over edge bytes, and agrees with UTF-8 where the bytes are UTF-8', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    let valid = 0;
    for (let n = 1; n <= 3; n++) {
      for (const b of sequences(n)) {
        const text = decodeBytes(b);
        expect(encodeBytes(text).equals(b), b.toString('hex')).toBe(true);
        try {
          expect(text).toBe(strict.decode(b));
          valid += 1;
        } catch (err) {
          if (!(err instanceof TypeError)) throw err;
        }
      }
    }
    expect(valid).toBeGreaterThan(100);
  });

  it('escapes each byte of a 4-byte character cut short, and keeps the characters around it', () => {
    const b = Buffer.concat([Buffer.from('é😀'), Buffer.from('😀').subarray(0, 3), Buffer.from('z')]);
    expect(decodeBytes(b)).toBe('é😀\udcf0\udc9f\udc98z');
  });

  it('decodes 64 MiB of bytes that are not UTF-8 (a flooding host, just under the cap) in one pass', () => {
    // the old per-character concatenation took ~25 s here, blocking the controller's event loop
    const text = decodeBytes(Buffer.alloc(64 * 1024 * 1024, 0xff));
    expect(text.length).toBe(64 * 1024 * 1024);
    expect(text.slice(0, 2)).toBe('\udcff\udcff');
  });
});
