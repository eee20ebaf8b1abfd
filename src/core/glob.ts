/**
 * fnmatch-style globs: `*` any run of characters, `?` one character, `[abc]` / `[!a-z]` a class.
 * With `slash: false` (names), `*` and `?` never match `/`; with `slash: true` (command lines) they do.
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

// a check matches the same few globs against every entry of every host: compile each once
const compiled = new Map<string, RegExp>();

export function matchesGlob(text: string, glob: string, opts?: { slash: boolean }): boolean {
  const key = `${opts?.slash ? 's' : 'n'}${glob}`;
  let re = compiled.get(key);
  if (!re) compiled.set(key, (re = globToRegExp(glob, opts)));
  return re.test(text);
}
