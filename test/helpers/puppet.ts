import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo's modulepath: deploy/puppet holds the `runner` module. */
export const MODULEPATH = fileURLToPath(new URL('../../deploy/puppet', import.meta.url));

const DIRS = ['confdir', 'vardir', 'codedir', 'logdir', 'rundir', 'publicdir', 'ssldir'];

/** The 7 dir flags that keep puppet entirely under `dir` (Debian hard-codes publicdir and ssldir otherwise). */
export function puppetDirFlags(dir: string): string[] {
  return DIRS.flatMap((d) => [`--${d}`, join(dir, d)]);
}

/** A value as a Puppet literal: strings single-quoted (only \ and ' escaped), hashes with =>, null as undef. */
export function puppetLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'undef';
  if (typeof v === 'string') return `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(puppetLiteral).join(', ')}]`;
  const pairs = Object.entries(v as Record<string, unknown>).map(
    ([k, x]) => `${puppetLiteral(k)} => ${puppetLiteral(x)}`,
  );
  return `{${pairs.join(', ')}}`;
}

/** `class { 'runner': … }` with these parameters. */
export function runnerClass(params: Record<string, unknown>): string {
  const lines = Object.entries(params).map(([k, v]) => `  ${k} => ${puppetLiteral(v)},`);
  return `class { 'runner':\n${lines.join('\n')}\n}\n`;
}

/** A real `puppet apply -e` with every puppet dir under `dir`; the code is --detailed-exitcodes' (0, 2, 4, 6). */
export async function puppetApply(dir: string, manifest: string, extra: string[] = []) {
  const args = ['apply', ...puppetDirFlags(dir), `--modulepath=${MODULEPATH}`, '--detailed-exitcodes', '--color=false'];
  const r = await execa('puppet', [...args, ...extra, '-e', manifest], { reject: false });
  return { code: r.exitCode, output: `${r.stdout}\n${r.stderr}` };
}

/** The catalog `puppet apply --catalog_cache_terminus json` cached under `dir` (one node). */
export function cachedCatalog(dir: string): { resources: { type: string; title: string; parameters?: object }[] } {
  const catalogs = join(dir, 'vardir', 'client_data', 'catalog');
  const [file] = readdirSync(catalogs);
  return JSON.parse(readFileSync(join(catalogs, file!), 'utf8'));
}
