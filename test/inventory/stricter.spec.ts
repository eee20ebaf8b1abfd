import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { loadInventory } from '../../src/inventory/index.js';
import { inventoryListText } from '../../src/inventory/list.js';
import { MAX_HOSTS_PER_PATTERN } from '../../src/inventory/ranges.js';
import { runner } from '../helpers/cli.js';
import { sandbox } from '../helpers/tmp.js';

const run = promisify(execFile);
const root = sandbox('runner-inventory-stricter-');
const ENV = {
  ...process.env,
  ANSIBLE_LOCAL_TEMP: '/tmp',
  ANSIBLE_HOME: '/tmp/rtest-ansible-home',
  ANSIBLE_NOCOLOR: '1',
};

/** Writes the files of one case under its own dir; returns the inventory's path. */
function write(name: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name, path)), { recursive: true });
    writeFileSync(join(root, name, path), text);
  }
  return join(root, name, Object.keys(files)[0] as string);
}

async function ansibleHostvars(file: string): Promise<Record<string, Record<string, unknown>>> {
  const { stdout } = await run('ansible-inventory', ['-i', file, '--list'], { env: ENV, cwd: '/' });
  return (JSON.parse(stdout) as { _meta: { hostvars: Record<string, Record<string, unknown>> } })._meta.hostvars;
}

function loadError(file: string): string {
  try {
    loadInventory(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`${file} loaded, but runner should refuse it`);
}

// What ansible-inventory --list prints for values runner acts on (port, timeout), and runner's refusal
describe('values runner interprets: errors, not guesses (ansible-inventory prints them; runner refuses)', () => {
  it.each([
    [
      'hex-port',
      { 'pool.ini': '[g]\nh1 ansible_port=0x8AE\n' },
      'h1',
      'ansible_port',
      2222,
      'pool.ini:2: host h1: ansible_port=0x8AE',
    ],
    [
      'word-timeout',
      { 'pool.ini': '[g]\nh1\n[g:vars]\nansible_ssh_timeout=abc\n' },
      'h1',
      'ansible_ssh_timeout',
      'abc',
      'pool.ini:4: group g: ansible_ssh_timeout=abc',
    ],
    [
      'yaml-octal-port',
      { 'pool.yml': 'all:\n  hosts:\n    h1:\n      ansible_port: 04256\n' },
      'h1',
      'ansible_port',
      2222,
      'pool.yml:4: host h1: ansible_port=04256',
    ],
    [
      'float-timeout',
      { 'pool.ini': '[g]\nh1\n', 'group_vars/all.yml': 'ansible_timeout: 1.5\n' },
      'h1',
      'ansible_timeout',
      1.5,
      'group_vars/all.yml:1: group all: ansible_timeout=1.5',
    ],
    [
      'list-port',
      { 'pool.ini': '[g]\nh1\n', 'host_vars/h1.yml': '# port\nansible_ssh_port: [22]\n' },
      'h1',
      'ansible_ssh_port',
      [22],
      'host_vars/h1.yml:2: host h1: ansible_ssh_port=[22]',
    ],
    ['port-zero', { 'pool.ini': '[g]\nh1:0\n' }, 'h1', 'ansible_port', undefined, 'pool.ini:2: host h1:0'],
    ['port-too-big', { 'pool.ini': '[g]\nh1:99999\n' }, 'h1', 'ansible_port', 99999, 'pool.ini:2: host h1:99999'],
  ] as const)('%s', async (name, files, host, key, ansibleValue, where) => {
    const file = write(name, files);
    expect((await ansibleHostvars(file))[host]?.[key]).toEqual(ansibleValue);
    const message = loadError(file);
    if (where) expect(message).toContain(join(root, name, where));
    expect(message).toMatch(/must be a decimal number from 1 to (65535|86400)/);
  });

  it('plain spellings pass, as Ansible reads them', async () => {
    const file = write('plain', {
      'pool.ini': '[g]\nh1 ansible_port="2222"\nh2 ansible_ssh_port=22\n[g:vars]\nansible_ssh_timeout=30 # seconds\n',
      'host_vars/h2.yml': "ansible_timeout: '45'\n",
    });
    const real = await run('ansible-inventory', ['-i', file, '--list'], { env: ENV, cwd: '/' });
    expect(`${inventoryListText(loadInventory(file))}\n`).toBe(real.stdout);
  });

  it('!unsafe on a collection of collections: Ansible 2.14 prints it empty, runner refuses it', async () => {
    const file = write('nested-unsafe', { 'pool.ini': '[g]\nh1\n', 'group_vars/g.yml': 'x: !unsafe [a, [b, c]]\n' });
    expect((await ansibleHostvars(file)).h1?.x).toEqual([{ __ansible_unsafe: 'a' }, []]);
    expect(loadError(file)).toContain(
      `${join(root, 'nested-unsafe', 'group_vars/g.yml')}:1: !unsafe on a collection that holds collections`,
    );
  });
});

describe(`host ranges: refused above ${MAX_HOSTS_PER_PATTERN} hosts per pattern (Ansible would spend hours)`, () => {
  it('h[0:3000000] is refused with the count, naming the line', () => {
    const file = write('huge', { 'pool.ini': '[g]\nok-1\nh[0:3000000]\n' });
    expect(loadError(file)).toContain(
      `${file}:3: host pattern 'h[0:3000000]' expands to 3000001 hosts; runner refuses more than 100000 per pattern`,
    );
  });

  it('the product of ranges counts: [0:999]-[0:999] is a million', () => {
    const file = write('product', { 'pool.yml': 'all:\n  hosts:\n    "r[0:999]-[0:999]":\n' });
    expect(loadError(file)).toContain(`${file}:3: host pattern 'r[0:999]-[0:999]' expands to 1000000 hosts`);
  });

  it(`exactly ${MAX_HOSTS_PER_PATTERN} hosts pass`, () => {
    const file = write('at-cap', { 'pool.ini': '[g]\nh[000001:100000]\n' });
    const loaded = loadInventory(file);
    expect(loaded.inv.hosts.size).toBe(MAX_HOSTS_PER_PATTERN);
    expect([...loaded.inv.hosts.keys()].at(-1)).toBe('h100000');
  });
});

describe('runner inventory --list (the built binary)', () => {
  it('prints the same text as ansible-inventory --list, and exits 1 naming an odd port', async () => {
    const file = fileURLToPath(new URL('../../fixtures/inventory/yaml-values/pool.ini', import.meta.url));
    const real = await run('ansible-inventory', ['-i', file, '--list'], { env: ENV, cwd: '/' });
    const ours = await runner(['inventory', '-i', file, '--list']);
    expect(ours.code, ours.stderr).toBe(0);
    expect(`${ours.stdout}\n`).toBe(real.stdout);
    const odd = write('cli-odd', { 'pool.yml': 'all:\n  hosts:\n    bld-01:\n      ansible_port: 0x8AE\n' });
    const refused = await runner(['inventory', '-i', odd, '--list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${odd}:4: host bld-01: ansible_port=0x8AE`);
    expect(refused.stdout).toBe('');
  });
});
