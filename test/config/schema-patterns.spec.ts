import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/config/load.js';
import { parseDuration, parseSize } from '../../src/core/units.js';

interface Prop {
  pattern?: string;
  examples?: string[];
  properties?: Record<string, Prop>;
  items?: Prop;
  anyOf?: Prop[];
}

/** Every property of the schema with a pattern, by its dotted path. */
function patterned(node: Prop, path = '', out = new Map<string, Prop>()): Map<string, Prop> {
  if (node.pattern) out.set(path, node);
  for (const [k, v] of Object.entries(node.properties ?? {})) patterned(v, path ? `${path}.${k}` : k, out);
  if (node.items) patterned(node.items, `${path}[]`, out);
  for (const v of node.anyOf ?? []) patterned(v, path, out);
  return out;
}

const fields = patterned(configJsonSchema() as Prop);
const patternOf = (path: string) => new RegExp(fields.get(path)?.pattern ?? 'no pattern at all');
// strings near the grammar: digits, dots, every unit letter in both cases, and whitespace of several kinds
const near = fc.string({
  unit: fc.constantFrom(...'0123456789..  \t\n\u00a0\ufeffbBkKmMgGtTiIsShHdDwWoOfFx-+e'.split('')),
  maxLength: 12,
});

describe('JSON Schema: sizes and durations carry a pattern that agrees with the parser', () => {
  it('puts a pattern on every size and duration field, so an editor flags "20 gigs"', () => {
    expect(patternOf('checks[].purge.free').test('20GB')).toBe(true);
    expect(patternOf('checks[].purge.free').test('20 gigs')).toBe(false);
    for (const path of [
      'checks[].purge.min_free_to_start',
      'checks[].purge.min_age',
      'checks[].purge.max_age',
      'checks[].clobber.timeout',
      'checks[].puppet.max_age',
    ])
      expect(fields.has(path), path).toBe(true);
    expect([...fields.keys()].some((k) => k.startsWith('lifecycle.'))).toBe(true);
  });

  it('every example in the schema parses, and matches its own pattern', () => {
    for (const [path, prop] of fields)
      for (const example of prop.examples ?? []) {
        expect(new RegExp(prop.pattern as string).test(example), `${path}: ${example}`).toBe(true);
        expect(example === 'off' || parseSize(example) !== undefined || parseDuration(example) !== undefined).toBe(
          true,
        );
      }
  });

  it('a size matches the pattern exactly when parseSize accepts it', () => {
    const size = patternOf('checks[].purge.free');
    for (const s of [
      '20GB',
      '512MiB',
      '1.5tb',
      ' 4 KiB ',
      '0B',
      '20 gigs',
      '20',
      'GB',
      '-1GB',
      '1e3GB',
      '20GBs',
      '1.GB',
    ])
      expect(size.test(s), s).toBe(parseSize(s) !== undefined);
    fc.assert(
      fc.property(near, (s) => size.test(s) === (parseSize(s) !== undefined)),
      { numRuns: 20_000 },
    );
  });

  it('a duration matches the pattern exactly when parseDuration accepts it (and off where off is allowed)', () => {
    const duration = patternOf('checks[].purge.min_age');
    const orOff = patternOf('checks[].purge.max_age');
    for (const s of ['14d', '1h30m', ' 2w ', '1.5h', '14', '14 days', 'd', '-3h', 'h1', 'off', 'OFF', ' off'])
      expect(duration.test(s), s).toBe(parseDuration(s) !== undefined);
    fc.assert(
      fc.property(near, (s) => {
        expect(duration.test(s)).toBe(parseDuration(s) !== undefined);
        expect(orOff.test(s)).toBe(s === 'off' || parseDuration(s) !== undefined);
      }),
      { numRuns: 20_000 },
    );
  });
});
