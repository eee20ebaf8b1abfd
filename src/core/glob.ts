/**
 * fnmatch-style globs: `*` any run of characters, `?` one character, `[abc]` / `[!a-z]` / `[^a-z]` a class
 * (a `[` without its `]` is literal). With `slash: false` (names), `*` and `?` never match `/`; with
 * `slash: true` (command lines) they do. Matching runs the glob as an NFA: O(text × glob) at worst, never
 * backtracking, because command lines are the build user's and can be 2 MiB of whatever stalls a RegExp.
 */
export function matchesGlob(text: string, glob: string, opts?: { slash: boolean }): boolean {
  const tokens = compile(glob);
  const crossesSlash = opts?.slash ?? false;
  const m = tokens.length;
  let states = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  states[0] = 1;
  closeOverStars(tokens, states);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    next.fill(0);
    let any = false;
    for (let s = 0; s < m; s++) {
      if (!states[s]) continue;
      const t = tokens[s] as Token;
      if (t.kind === 'star') {
        if (crossesSlash || c !== SLASH) {
          next[s] = 1;
          any = true;
        }
      } else if (accepts(t, c, crossesSlash)) {
        next[s + 1] = 1;
        any = true;
      }
    }
    if (!any) return false;
    closeOverStars(tokens, next);
    [states, next] = [next, states];
  }
  return states[m] === 1;
}

const SLASH = 0x2f;

type Token =
  | { kind: 'star' }
  | { kind: 'one' }
  | { kind: 'char'; code: number }
  | { kind: 'class'; negated: boolean; ranges: [number, number][] };

/** A star matches the empty run too: whoever stands before it also stands after it. */
function closeOverStars(tokens: readonly Token[], states: Uint8Array): void {
  for (let s = 0; s < tokens.length; s++) if (states[s] && tokens[s]?.kind === 'star') states[s + 1] = 1;
}

function accepts(t: Token, c: number, crossesSlash: boolean): boolean {
  if (t.kind === 'char') return t.code === c;
  if (t.kind === 'one') return crossesSlash || c !== SLASH;
  if (t.kind === 'class') return t.ranges.some(([lo, hi]) => c >= lo && c <= hi) !== t.negated;
  return false;
}

// a check matches the same few globs against every entry of every host: tokenize each once
const compiled = new Map<string, Token[]>();

function compile(glob: string): Token[] {
  let tokens = compiled.get(glob);
  if (!tokens) compiled.set(glob, (tokens = tokenize(glob)));
  return tokens;
}

function tokenize(glob: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    const end = c === '[' ? glob.indexOf(']', i + 2) : -1;
    if (c === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') tokens.push({ kind: 'one' });
    else if (end !== -1) {
      tokens.push(classOf(glob.slice(i + 1, end)));
      i = end;
    } else tokens.push({ kind: 'char', code: glob.charCodeAt(i) });
  }
  return tokens;
}

/** `abc`, `a-z`, `!a-z`, `^a-z`: a `-` first or last is literal. */
function classOf(body: string): Token {
  const negated = body.startsWith('!') || body.startsWith('^');
  const chars = negated ? body.slice(1) : body;
  const ranges: [number, number][] = [];
  for (let i = 0; i < chars.length; i++) {
    const lo = chars.charCodeAt(i);
    if (chars[i + 1] === '-' && i + 2 < chars.length) {
      ranges.push([lo, chars.charCodeAt(i + 2)]);
      i += 2;
    } else ranges.push([lo, lo]);
  }
  return { kind: 'class', negated, ranges };
}

/**
 * The same glob as an anchored RegExp, for host patterns in the inventory (the operator's text matched against
 * host names). It backtracks: never use it on text the build user controls; use matchesGlob.
 */
export function globToRegExp(glob: string, opts: { slash: boolean } = { slash: false }): RegExp {
  const any = opts.slash ? '[\\s\\S]' : '[^/]';
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') out += `${any}*`;
    else if (c === '?') out += any;
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) out += '\\[';
      else {
        const body = glob.slice(i + 1, end);
        const negated = body.startsWith('!') || body.startsWith('^');
        const chars = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&');
        out += `[${negated ? '^' : ''}${chars}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\/-]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
