import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { limitHosts, loadInventory } from '../../src/inventory/index.js';
import { inventoryListText } from '../../src/inventory/list.js';
import { limiter } from '../../src/core/limit.js';

const run = promisify(execFile);
const here = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const VALID = [
  ...['pool.ini', 'pool.yaml'].map((f) => here(`inventory/${f}`)),
  ...readdirSync(here('fixtures/inventory/valid')).map((f) => here(`fixtures/inventory/valid/${f}`)),
  here('fixtures/inventory/vars-dir/pool.ini'),
  here('fixtures/inventory/yaml-values/pool.ini'),
];
const MALFORMED = readdirSync(here('fixtures/inventory/malformed')).map((f) =>
  here(`fixtures/inventory/malformed/${f}`),
);
// Ansible run from / (no ansible.cfg picked up), failing loudly on an inventory it cannot parse
const ENV = {
  ...process.env,
  ANSIBLE_INVENTORY_UNPARSED_FAILED: '1',
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_LOCAL_TEMP: '/tmp',
  ANSIBLE_HOME: '/tmp/rtest-ansible-home',
};
const slot = limiter(2);

async function ansible(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return slot(() =>
    run(args[0] as string, args.slice(1), { env: ENV, cwd: '/' }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    ),
  );
}

const oracle = new Map<string, Promise<{ code: number; stdout: string; stderr: string }>>();
beforeAll(() => {
  for (const f of [...VALID, ...MALFORMED]) oracle.set(f, ansible(['ansible-inventory', '-i', f, '--list']));
});

describe('inventory against the real ansible-inventory --list', () => {
  it.each(VALID.map((f) => [f.split('/').slice(-2).join('/'), f]))(
    '%s: same groups, hosts and vars, printed the same',
    async (_name, file) => {
      const real = await oracle.get(file);
      expect(real?.code, real?.stderr).toBe(0);
      const text = inventoryListText(loadInventory(file));
      expect(JSON.parse(text)).toEqual(JSON.parse(real?.stdout ?? ''));
      expect(`${text}\n`).toBe(real?.stdout);
    },
  );

  it.each(MALFORMED.map((f) => [f.split('/').pop(), f]))(
    '%s: rejected with file and line, as Ansible rejects it',
    async (_name, file) => {
      const line = /error-line: (\d+)/.exec(readFileSync(file, 'utf8'))?.[1];
      let error: unknown;
      try {
        loadInventory(file);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(`${file}:${line}:`);
      expect((await oracle.get(file))?.code).not.toBe(0);
    },
  );
});

// ansible-inventory 2.14 has no --limit: runner's --limit is checked against `ansible -i F PATTERN --list-hosts`
describe('host patterns against the real ansible --list-hosts', () => {
  const children = here('fixtures/inventory/valid/children.ini');
  const cased = here('fixtures/inventory/valid/case-ranges.ini');
  it.each([
    ...[
      'all',
      'child1',
      'parent:!child2',
      'child1:&child2',
      'c1-*',
      'c*:!shared',
      '~c[12]-0?[1a]',
      'parent[0]',
      'parent[1:3]',
      'child2[-1]',
      'child1,c2-b',
      '&child1',
      '!child1',
      'nope:c2-a',
      'grand:&~.*2.*',
    ].map((p) => [p, children]),
    ...[
      'A*',
      'edge:!A*',
      '~[a-f][0-9]',
      'WEB0[12]',
      'db-*:&~.*\\.Example\\.ORG',
      'edge[60:62]',
      'b*',
      'WEB01,F9.example.org',
      'edge[2:0]',
      'nope[3]',
      'edge[-2]',
      'edge[68:]',
    ].map((p) => [p, cased]),
  ])('%s', async (pattern, file) => {
    const real = await ansible(['ansible', '-i', file, pattern, '--list-hosts']);
    const hosts = real.stdout
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter(Boolean);
    expect(limitHosts(loadInventory(file), pattern, () => {}).sort()).toEqual(hosts.sort());
  });
});
