import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Tail } from '../../src/lifecycle/tail.js';
import { sandbox } from '../helpers/tmp.js';

const dir = sandbox('runner-tail-');
let tail: Tail | undefined;
afterEach(async () => tail?.stop());

/** A tail that only reads when the test polls it, so nothing depends on timing. */
async function follow(name: string): Promise<{ path: string; lines: string[]; tail: Tail }> {
  const path = join(dir, name);
  const lines: string[] = [];
  tail = new Tail(path, (l) => lines.push(l), 3_600_000);
  await tail.start();
  return { path, lines, tail };
}

describe('lifecycle/tail', () => {
  it('starts at the end: lines from before the tail are not replayed', async () => {
    writeFileSync(join(dir, 'old.log'), 'earlier session\n');
    const t = await follow('old.log');
    appendFileSync(t.path, 'new 1\nnew 2\n');
    await t.tail.poll();
    expect(t.lines).toEqual(['new 1', 'new 2']);
  });

  it('delivers whole lines only, and multibyte characters split across reads intact', async () => {
    writeFileSync(join(dir, 'partial.log'), '');
    const t = await follow('partial.log');
    appendFileSync(t.path, Buffer.from('half a li'));
    await t.tail.poll();
    expect(t.lines).toEqual([]);
    const euro = Buffer.from('€');
    appendFileSync(t.path, Buffer.concat([Buffer.from('ne '), euro.subarray(0, 1)]));
    await t.tail.poll();
    appendFileSync(t.path, Buffer.concat([euro.subarray(1), Buffer.from('\n')]));
    await t.tail.poll();
    expect(t.lines).toEqual(['half a line €']);
  });

  it('waits for a file that does not exist yet and reads it from its start', async () => {
    const t = await follow('later.log');
    await t.tail.poll();
    writeFileSync(t.path, 'first\n');
    await t.tail.poll();
    expect(t.lines).toEqual(['first']);
  });

  it('follows rotation: the rest of the old file, then the new one from its start', async () => {
    writeFileSync(join(dir, 'rot.log'), '');
    const t = await follow('rot.log');
    appendFileSync(t.path, 'a\n');
    await t.tail.poll();
    appendFileSync(t.path, 'b written just before the rotation\n');
    renameSync(t.path, `${t.path}.1`);
    writeFileSync(t.path, 'c in the new file\n');
    await t.tail.poll();
    appendFileSync(t.path, 'd\n');
    await t.tail.poll();
    expect(t.lines).toEqual(['a', 'b written just before the rotation', 'c in the new file', 'd']);
  });

  it('follows truncation: reads again from the start', async () => {
    writeFileSync(join(dir, 'trunc.log'), '');
    const t = await follow('trunc.log');
    appendFileSync(t.path, 'one\ntwo\n');
    await t.tail.poll();
    truncateSync(t.path, 0);
    appendFileSync(t.path, 'three\n');
    await t.tail.poll();
    expect(t.lines).toEqual(['one', 'two', 'three']);
  });

  it('polls by itself', async () => {
    const path = join(dir, 'auto.log');
    writeFileSync(path, '');
    const lines: string[] = [];
    tail = new Tail(path, (l) => lines.push(l), 20);
    await tail.start();
    appendFileSync(path, 'x\n');
    await expect.poll(() => lines, { timeout: 10_000 }).toEqual(['x']);
  });
});
