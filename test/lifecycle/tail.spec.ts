import { execFileSync } from 'node:child_process';
import { appendFileSync, renameSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
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

  it.each([
    ['a FIFO', (p: string) => execFileSync('mkfifo', [p]), 'is a FIFO, not a regular file: not followed'],
    ['a symlink to /dev/zero', (p: string) => symlinkSync('/dev/zero', p), 'is a symlink: not followed'],
  ])('a log planted as %s is an error naming it at the start, never a hang', async (name, plant, said) => {
    const path = join(dir, `planted-${name.replaceAll(/\W/g, '')}.log`);
    plant(path);
    await expect(new Tail(path, () => {}, 3_600_000).start()).rejects.toThrow(`${path} ${said}`);
  });

  it('a log rotated into a FIFO: the rest of the old file is delivered, the FIFO reported once, never opened', async () => {
    const path = join(dir, 'to-fifo.log');
    writeFileSync(path, '');
    const lines: string[] = [];
    const problems: string[] = [];
    tail = new Tail(
      path,
      (l) => lines.push(l),
      3_600_000,
      (p) => problems.push(p),
    );
    await tail.start();
    appendFileSync(path, 'last line\n');
    renameSync(path, `${path}.1`);
    execFileSync('mkfifo', [path]);
    await tail.poll();
    await tail.poll();
    expect(lines).toEqual(['last line']);
    expect(problems).toEqual([`${path} is a FIFO, not a regular file: not followed`]);
  });

  it('a flood is read 1 MiB per poll (stop() still delivers the end); an endless line is cut at 64 KiB', async () => {
    const path = join(dir, 'flood.log');
    writeFileSync(path, '');
    const t = await follow('flood.log');
    appendFileSync(path, `${'x'.repeat(3 << 20)}\nafter the flood\n`);
    expect(await t.tail.poll()).toBe(true); // more to read
    expect(t.lines).toEqual([]);
    await t.tail.stop();
    expect(t.lines.map((l) => l.length)).toEqual([64 * 1024, 'after the flood'.length]);
  });
});
