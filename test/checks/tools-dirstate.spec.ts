import { describe, expect, it } from 'vitest';
import { DIRSTATE_CAP } from '../../src/checks/tools/commands.js';
import { whyAskHg } from '../../src/checks/tools/dirstate.js';
import { decodeBytes } from '../../src/core/bytes.js';

const P1 = Buffer.alloc(20, 0xab);
const NULL = Buffer.alloc(20);
const REQUIRES = 'dotencode\nfncache\ngeneraldelta\nrevlogv1\nstore\n';
const T = 1796400000;

/** One dirstate-v1 entry: state, mode, size, mtime, then the name (NUL and the copy source when copied). */
function entry(name: string, { state = 'n', mode = 0o100644, size = 5, mtime = T } = {}): Buffer {
  const head = Buffer.alloc(17);
  head.write(state, 0, 'latin1');
  [mode, size, mtime, Buffer.byteLength(name)].forEach((v, i) => head.writeInt32BE(v, 1 + 4 * i));
  return Buffer.concat([head, Buffer.from(name)]);
}
const dirstate = (...entries: Buffer[]) => Buffer.concat([P1, NULL, ...entries]);
/** One record of the facts script's listing, then find's exit status. */
const rec = (name: string, { type = 'f', size = 5, mtime = `${T}.25`, perm = '644' } = {}) =>
  `${type} ${size} ${mtime} ${perm} ${name}\0`;
const listing = (...records: string[]) => `${records.join('')}end 0\0`;

describe('checks/tools native hg status (whyAskHg)', () => {
  it('is clean when every entry matches its file: size, exec bit, mtime second; hg keeps sizes and times mod 2^31', () => {
    const ds = dirstate(
      entry('a'),
      entry('bin/run', { mode: 0o100755 }),
      entry('link', { mode: 0o120777, size: 3 }),
      entry('big', { size: 2 ** 32 % 2 ** 31 }),
      entry('old', { mtime: 2 ** 31 - 6 }),
      entry('we\nird \xff'),
    );
    const files = listing(
      rec('a', { perm: '664' }),
      rec('bin/run', { perm: '755' }),
      rec('link', { type: 'l', size: 3, perm: '777' }),
      rec('big', { size: 2 ** 32 }),
      rec('old', { mtime: '-5.5000000000' }),
      rec('we\nird \xff'),
    );
    expect(whyAskHg(ds, REQUIRES, files)).toBeUndefined();
  });

  it('matches a name that is not UTF-8 byte for byte, as the host decodes the whole output', () => {
    const name = Buffer.from([0x62, 0xff, 0xc3]);
    const ds = dirstate(Buffer.concat([entry('x').subarray(0, 13), Buffer.from([0, 0, 0, 3]), name]));
    const out = Buffer.concat([Buffer.from(`f 5 ${T}.1 644 `), name, Buffer.from('\0end 0\0')]);
    expect(whyAskHg(ds, REQUIRES, decodeBytes(out))).toBeUndefined();
    // what a lossy decoder would make of it (U+FFFD twice) is another name
    const lossy = Buffer.from([0x62, 0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd]);
    const other = Buffer.concat([Buffer.from(`f 5 ${T}.1 644 `), lossy, Buffer.from('\0end 0\0')]);
    expect(whyAskHg(ds, REQUIRES, decodeBytes(other))).toBe('a tracked file missing');
  });

  it.each([
    ['state a', dirstate(entry('a', { state: 'a' })), listing(rec('a'))],
    ['state r', dirstate(entry('a', { state: 'r' })), listing()],
    ['state m', dirstate(entry('a', { state: 'm' })), listing(rec('a'))],
    ['an entry to compare by content', dirstate(entry('a', { size: -1 })), listing(rec('a'))],
    ['an entry to compare by content', dirstate(entry('a', { size: -2 })), listing(rec('a'))],
    ['an entry to compare by content', dirstate(entry('a', { mtime: -1 })), listing(rec('a'))],
    ['a tracked file missing', dirstate(entry('a')), listing()],
    ['a file of another type', dirstate(entry('a')), listing(rec('a', { type: 'l' }))],
    ['a file of another type', dirstate(entry('a')), listing(rec('a', { type: 'p' }))],
    ['a size changed', dirstate(entry('a')), listing(rec('a', { size: 6 }))],
    ['an exec bit changed', dirstate(entry('a')), listing(rec('a', { perm: '744' }))],
    ['an mtime changed', dirstate(entry('a')), listing(rec('a', { mtime: `${T + 1}.0` }))],
    ['a copy', dirstate(entry('b\0a')), listing(rec('a'), rec('b'))],
    ['a name twice in the dirstate', dirstate(entry('a'), entry('a')), listing(rec('a'))],
    ['subrepositories', dirstate(entry('.hgsub')), listing(rec('.hgsub'))],
    ['a file the dirstate does not track', dirstate(entry('a')), listing(rec('a'), rec('ignored.o'))],
    ['a nested .hg', dirstate(entry('d/a')), listing(rec('d/a'), rec('d/.hg', { type: 'd' }))],
    ['a name listed twice', dirstate(entry('a')), listing(rec('a'), rec('a'))],
    ['the working dir listing is incomplete', dirstate(entry('a')), rec('a')],
    ['the working dir listing is incomplete', dirstate(entry('a')), `${rec('a')}end 1\0`],
    ['the working dir listing is incomplete', dirstate(entry('a')), `${rec('a')}end 0\0${rec('a').slice(0, 4)}`],
    ['a working dir listing record not understood', dirstate(entry('a')), listing('f 5 x 644 a\0')],
    ['a truncated dirstate entry', dirstate(entry('a')).subarray(0, 50), listing(rec('a'))],
    ['a truncated dirstate entry', dirstate(entry('abc')).subarray(0, 59), listing(rec('abc'))],
    ['a merge in progress', Buffer.concat([P1, P1, entry('a')]), listing(rec('a'))],
    ['no dirstate entries', Buffer.alloc(0), listing()],
    ['dirstate-v2', Buffer.concat([Buffer.from('dirstate-v2\n'), P1, NULL]), listing()],
  ])('asks hg: %s', (why, ds, files) => {
    expect(whyAskHg(ds, REQUIRES, files)).toBe(why);
  });

  it('asks hg for a dirstate-v2 or largefiles requirement, no readable .hg/requires, or a dirstate over the cap', () => {
    const ok = [dirstate(entry('a')), listing(rec('a'))] as const;
    expect(whyAskHg(ok[0], `${REQUIRES}dirstate-v2\n`, ok[1])).toBe('dirstate-v2');
    expect(whyAskHg(ok[0], `${REQUIRES}largefiles\n`, ok[1])).toBe('largefiles');
    expect(whyAskHg(ok[0], '', ok[1])).toBe('no readable .hg/requires');
    expect(whyAskHg(Buffer.alloc(DIRSTATE_CAP + 1), REQUIRES, ok[1])).toBe('.hg/dirstate is larger than 2 MiB');
  });
});
