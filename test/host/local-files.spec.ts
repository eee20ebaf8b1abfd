import { spawn, execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_MAX_BYTES, readText, readTextSync, statPath, writeText } from '../../src/host/local-files.js';
import { sandbox } from '../helpers/tmp.js';

const root = sandbox('runner-local-files-');

describe('host/local-files: the operator’s own files on the controller', () => {
  it('reads a file, and through a symlink (the operator’s own link)', async () => {
    writeFileSync(join(root, 'inv.ini'), '[a]\nh1\n');
    symlinkSync(join(root, 'inv.ini'), join(root, 'link.ini'));
    expect(readTextSync(join(root, 'link.ini'), 'inventory x')).toBe('[a]\nh1\n');
    expect(await readText(join(root, 'link.ini'), 'inventory x')).toBe('[a]\nh1\n');
    expect(statPath(join(root, 'link.ini'), 'x')?.type).toBe('file');
    expect(statPath(join(root, 'nope'), 'x')).toBeNull();
  });

  it('reads a pipe to its end, as `-i <(…)` gives one', async () => {
    const fifo = join(root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', 'printf "h1\\nh2\\n" > "$1"', 'sh', fifo], { stdio: 'ignore' });
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    expect(await readText(fifo, 'limit file')).toBe('h1\nh2\n');
    expect(await exited).toBe(0);
  });

  it('names the file and what is wrong: missing, a directory, or past the cap (/dev/zero)', async () => {
    expect(() => readTextSync(join(root, 'nope'), 'config /x')).toThrow('cannot read config /x: no such file');
    await expect(readText(join(root, 'nope'), 'config /x')).rejects.toThrow('cannot read config /x: no such file');
    mkdirSync(join(root, 'dir'));
    expect(() => readTextSync(join(root, 'dir'), 'config /d')).toThrow('cannot read config /d: it is a directory');
    await expect(readText('/dev/zero', 'config /dev/zero')).rejects.toThrow(
      `cannot read config /dev/zero: larger than ${LOCAL_MAX_BYTES} bytes`,
    );
    expect(() => readTextSync('/dev/zero', 'z')).toThrow(`cannot read z: larger than ${LOCAL_MAX_BYTES} bytes`);
  });

  it('writes atomically: the old content or the new, and no temp file left, even when the rename fails', async () => {
    const out = join(root, 'out', 'report.json');
    mkdirSync(join(root, 'out'));
    writeFileSync(out, 'old');
    await writeText(out, 'new');
    expect(readFileSync(out, 'utf8')).toBe('new');
    mkdirSync(join(root, 'out', 'taken'));
    writeFileSync(join(root, 'out', 'taken', 'x'), '');
    await expect(writeText(join(root, 'out', 'taken'), 'y')).rejects.toThrow();
    expect(readdirSync(join(root, 'out')).sort()).toEqual(['report.json', 'taken']);
  });

  it('writes into a device already at the path (-o /dev/null) instead of replacing it with a file', async () => {
    // a null device of our own in the sandbox: the machine's /dev/null is never at stake
    const dev = join(root, 'null');
    execFileSync('mknod', ['-m', '666', dev, 'c', '1', '3']);
    await writeText(dev, 'report');
    expect(statPath(dev, 'x')?.type).toBe('char');
    expect(readFileSync(dev, 'utf8')).toBe('');
    expect(readdirSync(root).filter((n) => n.startsWith('null'))).toEqual(['null']);
  });

  it('replaces a symlink at the path, never writes through it, even to a device (a link planted in /tmp)', async () => {
    const dev = join(root, 'null2');
    execFileSync('mknod', ['-m', '666', dev, 'c', '1', '3']);
    const victim = join(root, 'victim');
    writeFileSync(victim, 'keep');
    for (const [name, target] of [
      ['to-dev', dev],
      ['to-file', victim],
    ] as const) {
      const link = join(root, name);
      symlinkSync(target, link);
      await writeText(link, 'report');
      expect(lstatSync(link).isFile()).toBe(true);
      expect(readFileSync(link, 'utf8')).toBe('report');
    }
    expect(readFileSync(victim, 'utf8')).toBe('keep');
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
  });
});
