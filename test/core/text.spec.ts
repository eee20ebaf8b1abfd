import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBytes } from '../../src/core/bytes.js';
import { detach } from '../../src/core/text.js';

describe('detach', () => {
  it('gives back an equal string, lone surrogates (bytes that are not UTF-8) and controls included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => detach(s) === s));
    const raw = decodeBytes(Uint8Array.from([0x6e, 0xff, 0x00, 0x0a, 0xc3]));
    expect(detach(raw)).toBe(raw);
  });
});
