import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configWithOverrides } from '../../src/audit/host-config.js';
import { loadInventory } from '../../src/inventory/index.js';
import { sandbox } from '../helpers/tmp.js';

const root = sandbox();
const source = {
  text: 'checks:\n  - purge: { dirs: [/builds], free: 20GB, max_age: 14d }\n',
  label: 'bld-01:/etc/runner/runner.yaml',
};

/** An inventory with runner_checks in group_vars/pool.yml and host_vars/bld-02.yml, as Ansible users write them. */
function inventory(): string {
  mkdirSync(join(root, 'group_vars'), { recursive: true });
  mkdirSync(join(root, 'host_vars'), { recursive: true });
  writeFileSync(join(root, 'hosts.ini'), '[pool]\nbld-01\nbld-02\nbld-03\n');
  writeFileSync(
    join(root, 'group_vars', 'pool.yml'),
    'ansible_user: cltbld\nrunner_checks:\n  purge:\n    free: 20 gigs\n',
  );
  writeFileSync(
    join(root, 'host_vars', 'bld-02.yml'),
    '# bigger disk\nrunner_checks:\n  purge: { free: 30GB }\n  tools:\n    checkouts: []\n',
  );
  writeFileSync(join(root, 'host_vars', 'bld-03.yml'), 'runner_checks:\n  purge: { free: 30GB }\n');
  return join(root, 'hosts.ini');
}

describe('runner_checks from group_vars/host_vars: errors name that file and line', () => {
  const loaded = loadInventory(inventory());
  const fail = (host: string) => {
    try {
      configWithOverrides(source, loaded.vars.get(host)?.runner_checks, host);
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };

  it('names the group_vars file and the line of the bad value', () => {
    const file = join(root, 'group_vars', 'pool.yml');
    expect(fail('bld-01')).toBe(
      `host bld-01: invalid runner_checks in ${file} over bld-01:/etc/runner/runner.yaml:\n` +
        `  ${file}:4: runner_checks.purge.free: expected a size like 20GB, got "20 gigs"`,
    );
  });

  it('names the host_vars file that won, and the line of the check it does not configure', () => {
    const file = join(root, 'host_vars', 'bld-02.yml');
    expect(fail('bld-02')).toContain(`host bld-02: invalid runner_checks in ${file} over`);
    expect(fail('bld-02')).toContain(`  ${file}:4: runner_checks.tools: 'tools' is not configured`);
  });

  it('a valid override from host_vars applies', () => {
    expect(fail('bld-03')).toBe('no error');
    const config = configWithOverrides(source, loaded.vars.get('bld-03')?.runner_checks, 'bld-03');
    expect(config.checks[0]?.options).toMatchObject({ free: 30e9 });
  });
});
