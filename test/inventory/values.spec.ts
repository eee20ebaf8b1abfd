import { describe, expect, it } from 'vitest';
import { expandHostPattern } from '../../src/inventory/hosts.js';
import { parseIniValue } from '../../src/inventory/literal.js';
import { shlexSplit } from '../../src/inventory/shlex.js';
import { PyFloat } from '../../src/inventory/yaml-values.js';

describe('inventory values, ranges and words', () => {
  it.each([
    ['23', 23],
    ['-5', -5],
    ['0x1f', 31],
    ['1_000', 1000],
    ['1.5', new PyFloat(1.5)],
    ['1e3', new PyFloat(1000)],
    ['True', true],
    ['None', null],
    ['0755', '0755'],
    ['TRUE', 'TRUE'],
    ['"x"', 'x'],
    ["'a' 'b'", 'ab'],
    ['[1, "a", (2,)]', [1, 'a', [2]]],
    ["{'k': 1}", { k: 1 }],
    ['8080 # c', 8080],
    ['a.b # c', 'a.b # c'],
    ['', ''],
  ])('literal_eval(%s)', (text, value) => {
    expect(parseIniValue(text)).toEqual(value);
  });

  it.each([
    ['bld-[01:03]', ['bld-01', 'bld-02', 'bld-03']],
    ['w[1:5:2]', ['w1', 'w3', 'w5']],
    ['db-[a:c]', ['db-a', 'db-b', 'db-c']],
    ['r[1:2]-[x:y]', ['r1-x', 'r1-y', 'r2-x', 'r2-y']],
    ['[:2]x', ['0x', '1x', '2x']],
  ])('%s expands', (pattern, names) => {
    expect(expandHostPattern(pattern).names).toEqual(names);
  });

  it('splits a port off hosts, IPv4 and bracketed IPv6, but not off bare IPv6', () => {
    expect(expandHostPattern('bld-01:2222')).toEqual({ names: ['bld-01'], port: 2222 });
    expect(expandHostPattern('[fe80::1]:2222')).toEqual({ names: ['fe80::1'], port: 2222 });
    expect(expandHostPattern('2001:db8::5')).toEqual({ names: ['2001:db8::5'] });
    expect(() => expandHostPattern('bld-[01:100]')).toThrow(/equal-length/);
    expect(() => expandHostPattern('bld:')).toThrow(/reserved to provide a port/);
  });

  it('splits words like Python shlex with comments', () => {
    expect(shlexSplit(`h1 a="x y" b='q"' c=d#e f`)).toEqual(['h1', 'a=x y', `b=q"`, 'c=d']);
    expect(() => shlexSplit('h1 x="open')).toThrow(/No closing quotation/);
  });
});
