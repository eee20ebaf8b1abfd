import { describe, expect, it } from 'vitest';
import { targetFor } from '../../src/audit/targets.js';
import { parseSshConfig } from '../../src/host/ssh/config.js';
import { configWithOverrides } from '../../src/audit/host-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { Timestamp, Unsafe } from '../../src/inventory/yaml-values.js';

const sshConfig = parseSshConfig(
  'Host bld-*\n  HostName %h.pool.example\n  User from-config\n  Port 2200\n  IdentityFile /keys/pool\n',
);

describe('audit/targets', () => {
  it('inventory vars win over --user/--private-key, which win over ~/.ssh/config', () => {
    const t = targetFor(
      'bld-01',
      {
        ansible_host: 'bld-01',
        ansible_port: 2222,
        ansible_user: 'cltbld',
        ansible_ssh_private_key_file: '/keys/inv',
        ansible_become: 'yes',
        runner_config: '/etc/r.yaml',
      },
      { user: 'cli' },
      sshConfig,
    );
    expect(t.ssh).toEqual({
      name: 'bld-01',
      address: 'bld-01.pool.example',
      port: 2222,
      user: 'cltbld',
      identityFiles: ['/keys/inv'],
      explicitIdentity: true,
      become: true,
    });
    expect(t.configPath).toBe('/etc/r.yaml');
    const d = targetFor('bld-02', {}, { user: 'cli' }, sshConfig);
    expect(d.ssh).toMatchObject({
      address: 'bld-02.pool.example',
      port: 2200,
      user: 'cli',
      identityFiles: ['/keys/pool'],
      explicitIdentity: false,
      become: false,
    });
    expect(d.configPath).toBe('/etc/runner/runner.yaml');
  });

  it.each([
    [{ ansible_password: 'x' }, /keys only/],
    [{ ansible_ssh_pass: 'x' }, /keys only/],
    [{ ansible_connection: 'winrm' }, /not supported/],
    [{ ansible_port: 'ssh' }, /not a port/],
    [{ ansible_ssh_timeout: 'abc' }, /ansible_ssh_timeout abc is not a whole number of seconds/],
    [{ ansible_timeout: 0 }, /not a whole number of seconds/],
  ])('rejects %j before connecting', (vars, why) => {
    expect(() => targetFor('h', vars, {}, sshConfig)).toThrow(why);
  });
});

describe('audit/targets: values from vars files that Ansible prints its own way', () => {
  it('uses !unsafe text and timestamps as plain strings', () => {
    const t = targetFor(
      'h',
      {
        runner_config: new Unsafe('/etc/r/{{ x }}.yaml'),
        runner_checks: { purge: { note: new Timestamp('2002-12-14') } },
      },
      {},
      sshConfig,
    );
    expect(t.configPath).toBe('/etc/r/{{ x }}.yaml');
    expect(t.overrides).toEqual({ purge: { note: '2002-12-14' } });
  });
});

describe('audit/host-config: runner_checks overrides', () => {
  const source = {
    text: 'checks:\n  - purge: { dirs: [/builds], free: 20GB, max_age: 14d }\n',
    label: 'bld-01:/etc/runner/runner.yaml',
  };

  it('overrides one option and keeps the others, validated by the check schema', () => {
    const config = configWithOverrides(source, { purge: { free: '30GB' } }, 'bld-01');
    expect(config.checks[0]?.options).toMatchObject({ dirs: ['/builds'], free: 30e9, max_age: 14 * 86_400_000 });
  });

  it('validates a text shared by hosts once, each host keeping its own file name and overrides', () => {
    const a = configWithOverrides(source, { purge: { free: '30GB' } }, 'bld-01');
    const b = configWithOverrides({ ...source, label: 'bld-02:/etc/runner/runner.yaml' }, undefined, 'bld-02');
    expect(a.file).toBe('bld-01:/etc/runner/runner.yaml');
    expect(b.file).toBe('bld-02:/etc/runner/runner.yaml');
    expect(b.checks[0]?.options).toMatchObject({ free: 20e9 });
    expect(a.checks[0]?.options).toMatchObject({ free: 30e9 });
    // a broken text is never answered from the cache: every host gets its own error naming its file
    const broken = { text: 'checks:\n  - purge: { free: 1GB }\n', label: 'bld-03:/r.yaml' };
    expect(() => configWithOverrides(broken, undefined, 'bld-03')).toThrow('bld-03:/r.yaml');
    expect(() => configWithOverrides({ ...broken, label: 'bld-04:/r.yaml' }, undefined, 'bld-04')).toThrow(
      'bld-04:/r.yaml',
    );
  });

  it.each([
    [{ purge: { free: '30 gigs' } }, 'runner_checks.purge.free: expected a size like 20GB, got "30 gigs"'],
    [{ tools: {} }, "runner_checks.tools: 'tools' is not configured in bld-01:/etc/runner/runner.yaml"],
    [['purge'], 'runner_checks must map check ids to options'],
  ])('%j is a per-host config error', (overrides, message) => {
    expect(() => configWithOverrides(source, overrides, 'bld-01')).toThrow(ConfigError);
    expect(() => configWithOverrides(source, overrides, 'bld-01')).toThrow(message);
  });
});
