import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandLine, quoteArg, scriptLine } from '../../src/host/quote.js';

const nasty = [
  'plain',
  '',
  ' ',
  "it's",
  '"dq"',
  '$(touch /tmp/rtest-pwned)',
  '`id`',
  'a;b|c&d',
  'new\nline',
  '*',
  '~',
  '\\',
  "'",
  "''",
  '-n',
  'ünï',
];

describe('host/quote', () => {
  it.each(nasty.map((s) => [JSON.stringify(s), s]))('%s reaches a real sh as one literal argument', (_name, arg) => {
    const out = execFileSync('sh', ['-c', commandLine(['printf', '%s\\0', arg, 'end'])]).toString();
    expect(out).toBe(`${arg}\0end\0`);
  });

  it('leaves safe words bare and refuses NUL bytes', () => {
    expect(quoteArg('/builds/worker-01')).toBe('/builds/worker-01');
    expect(() => quoteArg('a\0b')).toThrow(/NUL/);
    expect(() => commandLine([])).toThrow(/empty/);
  });

  it('passes values to a fixed script only as positional parameters', () => {
    const out = execFileSync('sh', ['-c', scriptLine('printf "%s|" "$@"', nasty)]).toString();
    expect(out).toBe(`${nasty.join('|')}|`);
  });
});
