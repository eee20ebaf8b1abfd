/**
 * File names and process output are bytes; runner keeps them as JS strings without loss: valid UTF-8 as is,
 * every other byte as a lone surrogate U+DC80–U+DCFF (Python's "surrogateescape"). `encodeBytes` gives the
 * exact bytes back, so a name that is not UTF-8 is listed, planned and deleted like any other.
 */
const fatal = new TextDecoder('utf-8', { fatal: true });

export function decodeBytes(buf: Uint8Array): string {
  try {
    return fatal.decode(buf);
  } catch {
    return decodeSlow(buf);
  }
}

/** One pass: each valid sequence as its code point, each other byte as U+DC80–DCFF, in UTF-16 units flushed 8 K at a time. */
function decodeSlow(b: Uint8Array): string {
  const parts: string[] = [];
  const units = new Uint16Array(8192);
  let n = 0;
  for (let i = 0; i < b.length; ) {
    if (n > units.length - 2) {
      parts.push(fromUnits(units.subarray(0, n)));
      n = 0;
    }
    const c = b[i] as number;
    if (c < 0x80) {
      units[n++] = c;
      i += 1;
      continue;
    }
    const len = sequenceLength(b, i);
    if (len === 0) {
      units[n++] = 0xdc00 + c;
      i += 1;
      continue;
    }
    const cp = codePoint(b, i, len);
    if (cp < 0x10000) units[n++] = cp;
    else {
      units[n++] = 0xd800 + ((cp - 0x10000) >> 10);
      units[n++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
    }
    i += len;
  }
  parts.push(fromUnits(units.subarray(0, n)));
  return parts.join('');
}

function fromUnits(units: Uint16Array): string {
  return String.fromCharCode.apply(null, units as unknown as number[]);
}

/** The code point of the valid multi-byte sequence of `len` bytes at `i`. */
function codePoint(b: Uint8Array, i: number, len: number): number {
  let cp = (b[i] as number) & (0xff >> (len + 1));
  for (let k = 1; k < len; k++) cp = (cp << 6) | ((b[i + k] as number) & 0x3f);
  return cp;
}

/** Length of the valid UTF-8 sequence starting at `i` (1–4), or 0 when the byte there does not start one. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i] as number;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(b, i + 1) ? 2 : 0;
  if (c === 0xe0) return cont(b, i + 1, 0xa0) && cont(b, i + 2) ? 3 : 0;
  if (c === 0xed) return cont(b, i + 1, 0x80, 0x9f) && cont(b, i + 2) ? 3 : 0; // U+D800–DFFF are not UTF-8
  if (c >= 0xe1 && c <= 0xef) return cont(b, i + 1) && cont(b, i + 2) ? 3 : 0;
  if (c === 0xf0) return cont(b, i + 1, 0x90) && cont(b, i + 2) && cont(b, i + 3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(b, i + 1) && cont(b, i + 2) && cont(b, i + 3) ? 4 : 0;
  if (c === 0xf4) return cont(b, i + 1, 0x80, 0x8f) && cont(b, i + 2) && cont(b, i + 3) ? 4 : 0;
  return 0;
}

function cont(b: Uint8Array, j: number, lo = 0x80, hi = 0xbf): boolean {
  return j < b.length && (b[j] as number) >= lo && (b[j] as number) <= hi;
}

const ESCAPED = /[\udc80-\udcff]/;

/** The exact bytes of a string made by `decodeBytes` (plain UTF-8 for any other string). */
export function encodeBytes(text: string): Buffer {
  if (!ESCAPED.test(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let run = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (ch.length === 1 && code >= 0xdc80 && code <= 0xdcff) {
      if (run) parts.push(Buffer.from(run, 'utf8'));
      run = '';
      parts.push(Buffer.of(code - 0xdc00));
    } else run += ch;
  }
  if (run) parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

/** Length in bytes of a name as the filesystem stores it (NAME_MAX counts bytes). */
export function byteLength(text: string): number {
  return encodeBytes(text).length;
}
