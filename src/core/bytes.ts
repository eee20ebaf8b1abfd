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

function decodeSlow(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; ) {
    const n = sequenceLength(b, i);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + (b[i] as number));
      i += 1;
    } else {
      out += fatal.decode(b.subarray(i, i + n));
      i += n;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence starting at `i` (1–4), or 0 when the byte there does not start one. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i] as number;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && (b[i + k] as number) >= lo && (b[i + k] as number) <= hi;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // U+D800–DFFF are not UTF-8
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
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
