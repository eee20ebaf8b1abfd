/**
 * Python's `shlex.split(line, comments=True)` in POSIX mode: whitespace separates words, quotes group,
 * backslash escapes, and `#` outside quotes ends the line (even mid-word: `a=b#c` is `a=b`).
 */
export function shlexSplit(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '#') break;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) throw new Error('No closing quotation');
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let body = '';
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i++;
        body += line[i];
      }
      if (i >= line.length) throw new Error('No closing quotation');
      word = (word ?? '') + body;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new Error('No escaped character');
      word = (word ?? '') + line[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
