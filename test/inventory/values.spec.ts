import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { expandHostPattern } from '../../src/inventory/hosts.js';
import { parseIniValue } from '../../src/inventory/literal.js';
import { shlexSplit } from '../../src/inventory/shlex.js';
import { pyJson } from '../../src/inventory/py-json.js';
import { pyTimestamp } from '../../src/inventory/pyyaml-timestamp.js';
import { PyFloat, pyFloatRepr } from '../../src/inventory/yaml-values.js';

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
    ['[A:C]1', ['A1', 'B1', 'C1']],
    ['n[y:B]', ['ny', 'nz', 'nA', 'nB']],
  ])('%s expands', (pattern, names) => {
    expect(expandHostPattern(pattern).names).toEqual(names);
  });

  it('splits a port off hosts, IPv4 and bracketed IPv6, but not off bare IPv6', () => {
    expect(expandHostPattern('bld-01:2222')).toEqual({ names: ['bld-01'], port: 2222 });
    expect(expandHostPattern('[fe80::1]:2222')).toEqual({ names: ['fe80::1'], port: 2222 });
    expect(expandHostPattern('2001:db8::5')).toEqual({ names: ['2001:db8::5'] });
    expect(expandHostPattern('[A:B][0:1].Example.org:1022')).toEqual({
      names: ['A0.Example.org', 'A1.Example.org', 'B0.Example.org', 'B1.Example.org'],
      port: 1022,
    });
    expect(expandHostPattern('bücher.example:2201')).toEqual({ names: ['bücher.example'], port: 2201 });
    expect(() => expandHostPattern('h[1:5:0]')).toThrow(/step must be a positive integer/);
    expect(() => expandHostPattern('bld-[01:100]')).toThrow(/equal-length/);
    expect(() => expandHostPattern('bld:')).toThrow(/reserved to provide a port/);
  });

  it('splits words like Python shlex with comments', () => {
    expect(shlexSplit(`h1 a="x y" b='q"' c=d#e f`)).toEqual(['h1', 'a=x y', `b=q"`, 'c=d']);
    expect(() => shlexSplit('h1 x="open')).toThrow(/No closing quotation/);
  });
});

// Python itself as the oracle: PyYAML's timestamps through isoformat(), repr() of floats, json.dumps of the shapes
describe('Python printing, checked against python3', () => {
  const python = (code: string, input: unknown): unknown =>
    JSON.parse(execFileSync('python3', ['-c', code], { input: JSON.stringify(input), encoding: 'utf8' }));

  it('timestamps print as PyYAML + isoformat() print them', () => {
    const texts = [
      '2017-03-07T10:20:49Z',
      '2001-12-14t21:59:43.10-05:00',
      '2001-12-14 21:59:43.10 -5',
      '2001-12-15 2:59:43.10',
      '2017-03-07T10:20:49.123456789+05:30',
      '2017-03-07T10:20:49.+00:00',
      '2017-03-07T10:20:49-00:30',
      '2017-03-07 10:20:49 Z',
      '2016-02-29',
      '0001-01-01',
    ];
    const code = `import sys, json, yaml
print(json.dumps([yaml.safe_load(t).isoformat() for t in json.load(sys.stdin)]))`;
    expect(texts.map((t) => pyTimestamp(t).iso)).toEqual(python(code, texts));
  });

  it('refuses what datetime refuses, saying why', () => {
    expect(() => pyTimestamp('2017-02-29')).toThrow("invalid timestamp '2017-02-29': day is out of range for month");
    expect(() => pyTimestamp('2017-13-01')).toThrow('month must be in 1..12');
    expect(() => pyTimestamp('2017-03-07T10:60:00Z')).toThrow('minute must be in 0..59');
    expect(() => pyTimestamp('0000-01-01')).toThrow('year 0 is out of range');
  });

  it('floats print as repr() prints them', () => {
    const values = [1500, 0.5, 1.5, 1e-4, 1e-5, 1e16, 1e15, 123456789.123, -2.5e-7, 1 / 3, 2 ** 60, -0.75];
    const code = 'import sys, json\nprint(json.dumps([repr(float(v)) for v in json.load(sys.stdin)]))';
    expect(values.map(pyFloatRepr)).toEqual(python(code, values));
  });

  it('pyJson writes what json.dumps(sort_keys=True, indent=4, ensure_ascii=False) writes', () => {
    const doc = { b: [1, 'é', { '10': null, '2': true, Z: [] }], a: {}, _m: 'tab\tquote"\u0001' };
    const text = execFileSync(
      'python3',
      ['-c', 'import sys, json\nprint(json.dumps(json.load(sys.stdin), sort_keys=True, indent=4, ensure_ascii=False))'],
      { input: JSON.stringify(doc), encoding: 'utf8' },
    );
    expect(`${pyJson(doc)}\n`).toBe(text);
    expect(pyJson({ f: new PyFloat(2), n: new PyFloat(NaN) })).toBe('{\n    "f": 2.0,\n    "n": NaN\n}');
  });
});
