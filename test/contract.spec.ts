import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checks } from '../src/checks/api.js';
import { remediations } from '../src/remediations/api.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const folders = readdirSync(join(SRC, 'checks')).filter((f) => statSync(join(SRC, 'checks', f)).isDirectory());

describe('contract', () => {
  it('registers exactly the check folders, each under its own kebab-case id', () => {
    expect([...checks.keys()].sort()).toEqual(folders.sort());
    for (const [key, check] of checks) {
      expect(check.id).toBe(key);
      expect(key).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(check.summary.length).toBeGreaterThan(10);
    }
  });

  it('gives every check folder an index, a schema and a readme', () => {
    for (const id of folders) {
      for (const file of ['index.ts', 'schema.ts', 'readme.md'])
        expect(existsSync(join(SRC, 'checks', id, file)), `${id}/${file}`).toBe(true);
    }
  });

  it('names each remediation after its check and its file or folder', () => {
    for (const [key, fix] of remediations) {
      expect(fix.id).toBe(key);
      expect(checks.has(key), `remediation ${key} has no check`).toBe(true);
      // `<id>.ts`, or a folder `<id>/` once the fix has more than one file
      expect(
        existsSync(join(SRC, 'remediations', `${key}.ts`)) || existsSync(join(SRC, 'remediations', key, 'index.ts')),
        `remediations/${key}`,
      ).toBe(true);
    }
  });

  it('keeps side effects behind Host: no check or remediation imports fs, child_process, execa or ssh2', () => {
    const offenders: string[] = [];
    for (const dir of ['checks', 'remediations']) {
      for (const file of readdirSync(join(SRC, dir), { recursive: true }) as string[]) {
        if (!file.endsWith('.ts')) continue;
        const text = readFileSync(join(SRC, dir, file), 'utf8');
        if (/from '(node:)?(fs|fs\/promises|child_process)'|from '(execa|ssh2)'/.test(text))
          offenders.push(`${dir}/${file}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keeps the dependency one way: nothing under checks/ imports from remediations/', () => {
    const offenders = (readdirSync(join(SRC, 'checks'), { recursive: true }) as string[]).filter(
      (f) => f.endsWith('.ts') && /from '[./]*remediations\//.test(readFileSync(join(SRC, 'checks', f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
