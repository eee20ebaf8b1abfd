import { PyFloat } from './yaml-values.js';

/**
 * The part of Python's `ast.literal_eval` that Ansible's INI parser applies to every value: numbers, quoted
 * strings, True/False/None, lists, tuples and dicts, with an optional trailing `# comment`. Anything else stays
 * the raw string, as in Ansible (`0755` and `a.b # c` are strings).
 */
export function parseIniValue(text: string): unknown {
  const p = new LiteralParser(text);
  try {
    const value = p.value();
    p.end();
    return value;
  } catch {
    return text;
  }
}

class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}

  private ws(): void {
    while (this.i < this.s.length && /[ \t]/.test(this.s[this.i] as string)) this.i++;
  }

  end(): void {
    this.ws();
    if (this.s[this.i] === '#') return;
    if (this.i !== this.s.length) throw new Error('trailing text');
  }

  value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === '[' || c === '(') return this.sequence(c === '[' ? ']' : ')');
    if (c === '{') return this.dict();
    if (c === '"' || c === "'") return this.strings();
    const word = /^(True|False|None)\b/.exec(this.s.slice(this.i));
    if (word) {
      this.i += (word[1] as string).length;
      return word[1] === 'None' ? null : word[1] === 'True';
    }
    return this.number();
  }

  private number(): number | PyFloat {
    const m =
      /^[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][-+]?\d+)?|\d[\d_]*\.)/.exec(
        this.s.slice(this.i),
      );
    if (!m) throw new Error('not a literal');
    const raw = m[0].replace(/_/g, '');
    const body = raw.replace(/^[-+]/, '');
    // Python 3 rejects leading zeros in decimal integers (0755)
    if (/^0\d/.test(body) && !/[.eE]/.test(body)) throw new Error('leading zero');
    this.i += m[0].length;
    const sign = raw.startsWith('-') ? -1 : 1;
    if (/^0[xob]/i.test(body))
      return sign * parseInt(body.slice(2), { x: 16, o: 8, b: 2 }[body[1]?.toLowerCase() as 'x' | 'o' | 'b']);
    // a float literal stays a Python float, so it prints as `1.0`, not `1`
    return /[.eE]/.test(body) ? new PyFloat(sign * Number(body)) : sign * Number(body);
  }

  /** Adjacent string literals concatenate, as in Python. */
  private strings(): string {
    let out = '';
    while (this.s[this.i] === '"' || this.s[this.i] === "'") {
      out += this.string();
      this.ws();
    }
    return out;
  }

  private string(): string {
    const q = this.s[this.i++] as string;
    let out = '';
    while (this.i < this.s.length && this.s[this.i] !== q) {
      let c = this.s[this.i++] as string;
      if (c === '\\') {
        const e = this.s[this.i++] as string;
        c =
          ({ n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[e] ??
          `\\${e}`;
      }
      out += c;
    }
    if (this.s[this.i++] !== q) throw new Error('unterminated string');
    return out;
  }

  private sequence(close: string): unknown[] {
    this.i++;
    const out: unknown[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) break;
      out.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) throw new Error('expected , or close');
    }
    this.i++;
    return out;
  }

  private dict(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') break;
      const key = this.value();
      this.ws();
      if (this.s[this.i++] !== ':') throw new Error('expected :');
      out[String(key)] = this.value();
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') throw new Error('expected , or }');
    }
    this.i++;
    return out;
  }
}
