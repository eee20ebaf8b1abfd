import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { lookupSshConfig, parseSshConfig } from '../../src/host/ssh/config.js';

const CONFIG = `
# the pool
Host bld-* !bld-99
    User cltbld
    Port 2222
    IdentityFile ~/.ssh/pool_ed25519
Host bld-01
    HostName 10.0.4.1
    User someone-else
Match host bld-02
    User never-used
Host *
    IdentityFile=/etc/runner/fallback_key
    User default-user
`;

describe('host/ssh/config', () => {
  const blocks = parseSshConfig(CONFIG);

  it('first value wins, IdentityFile accumulates, ~ expands', () => {
    expect(lookupSshConfig(blocks, 'bld-01')).toEqual({
      user: 'cltbld',
      port: 2222,
      hostName: '10.0.4.1',
      identityFiles: [`${homedir()}/.ssh/pool_ed25519`, '/etc/runner/fallback_key'],
    });
  });

  it('honours negated patterns and skips Match blocks', () => {
    expect(lookupSshConfig(blocks, 'bld-99')).toEqual({
      user: 'default-user',
      identityFiles: ['/etc/runner/fallback_key'],
    });
    expect(lookupSshConfig(blocks, 'bld-02').user).toBe('cltbld');
  });
});
