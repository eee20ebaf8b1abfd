import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { limitHosts, loadInventory } from '../../src/inventory/index.js';
import { sandbox } from '../helpers/tmp.js';

const root = sandbox('runner-inventory-files-');

describe('inventory: the files it reads, and what it says when it cannot', () => {
  it('reads group_vars/ dirs and --limit @file', () => {
    writeFileSync(join(root, 'pool.ini'), '[linux]\nbld-01\nbld-02\n');
    mkdirSync(join(root, 'group_vars', 'linux'), { recursive: true });
    writeFileSync(join(root, 'group_vars', 'linux', 'a.yml'), 'runner_config: /etc/r.yaml\n');
    writeFileSync(join(root, 'only.txt'), '# one host\nbld-02\n');
    const loaded = loadInventory(join(root, 'pool.ini'));
    expect(loaded.vars.get('bld-01')?.runner_config).toBe('/etc/r.yaml');
    expect(limitHosts(loaded, `@${join(root, 'only.txt')}`, () => {})).toEqual(['bld-02']);
  });

  it('refuses a missing file, a directory, an executable, and a missing @file, naming each', () => {
    expect(() => loadInventory(join(root, 'nope.ini'))).toThrow(
      `cannot read inventory ${join(root, 'nope.ini')}: no such file`,
    );
    expect(() => loadInventory(join(root, 'group_vars'))).toThrow(
      `inventory ${join(root, 'group_vars')} is a directory`,
    );
    writeFileSync(join(root, 'script.ini'), '[a]\nh\n');
    chmodSync(join(root, 'script.ini'), 0o755);
    expect(() => loadInventory(join(root, 'script.ini'))).toThrow(
      'is executable: dynamic inventory scripts are not supported',
    );
    const loaded = loadInventory(join(root, 'pool.ini'));
    const missing = join(root, 'missing.txt');
    expect(() => limitHosts(loaded, `@${missing}`, () => {})).toThrow(
      `cannot read ${missing} (--limit @${missing}): no such file`,
    );
  });
});
