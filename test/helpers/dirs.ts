import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** Build dirs under `base`: [name, age in ms, bytes]; each holds a file of that size, mtime set to its age. */
export function makeDirs(base: string, dirs: ReadonlyArray<readonly [string, number, number]>, now = Date.now()): void {
  mkdirSync(base, { recursive: true });
  for (const [name, ageMs, bytes] of dirs) {
    const dir = join(base, name);
    mkdirSync(join(dir, 'obj'), { recursive: true });
    writeFileSync(join(dir, 'obj', 'data'), Buffer.alloc(bytes, 7));
    const t = (now - ageMs) / 1000;
    utimesSync(dir, t, t);
  }
}
