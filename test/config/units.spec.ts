import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, parseDuration, parseSize } from '../../src/core/units.js';

describe('config/units', () => {
  it.each([
    ['20GB', 20e9],
    ['512MiB', 512 * 1024 ** 2],
    ['1.5TB', 1.5e12],
    ['4 KiB', 4096],
    ['0B', 0],
    ['7gb', 7e9],
  ])('parses the size %s', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['20 gigs', '20', '', 'GB', '-1GB', '1e3GB', '20GBs'])('rejects the size %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });

  it.each([
    ['14d', 14 * 86_400_000],
    ['10h', 36_000_000],
    ['30m', 1_800_000],
    ['45s', 45_000],
    ['2w', 14 * 86_400_000],
    ['1h30m', 5_400_000],
  ])('parses the duration %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['14', '14 days', '', 'd', '1x', '-3h', 'h1'])('rejects the duration %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('formats bytes and durations for people', () => {
    expect([formatBytes(20e9), formatBytes(3_400_000), formatBytes(1500), formatBytes(42)]).toEqual([
      '20.0 GB',
      '3.4 MB',
      '1.5 kB',
      '42 B',
    ]);
    expect([formatDuration(90_000), formatDuration(5_400_000), formatDuration(3 * 86_400_000 + 4 * 3_600_000)]).toEqual(
      ['1m', '1h30m', '3d4h'],
    );
  });
});
