import { describe, expect, it } from 'vitest';
import { matchesGlob } from '../../src/core/glob.js';

describe('core/glob', () => {
  it.each([
    ['rel-m-beta', 'rel-*', true],
    ['tb-rel-x', 'rel-*', false],
    ['info', 'info', true],
    ['info2', 'info', false],
    ['a.b', 'a?b', true],
    ['abc', 'a[bx]c', true],
    ['adc', 'a[!bx]c', true],
    ['abc', 'a[!bx]c', false],
    ['x(1)+', 'x(1)+', true],
    ['a/b', 'a*', false],
  ])('%s matches name glob %s: %s', (text, glob, want) => {
    expect(matchesGlob(text, glob)).toBe(want);
  });

  it('lets * cross slashes in command-line globs', () => {
    expect(matchesGlob('/usr/bin/Xvfb :2 -screen 0', '/usr/bin/Xvfb *', { slash: true })).toBe(true);
    expect(matchesGlob('/usr/bin/Xvfb :2', '/usr/bin/Xvfb *', { slash: false })).toBe(true);
    expect(matchesGlob('/usr/bin/Xvfb', '/usr/bin/Xvfb *', { slash: true })).toBe(false);
  });
});
