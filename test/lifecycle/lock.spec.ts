import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeLock, formatLock, holdsBack, makeLock, parseLock } from '../../src/core/lock.js';
import { runner } from '../helpers/cli.js';
import { sandbox } from '../helpers/tmp.js';

const NOW = new Date('2026-11-28T10:00:00Z');

describe('lifecycle/lock', () => {
  it('round-trips a lock with and without an end', () => {
    const forever = makeLock('disk swap', 'root@bld-01', NOW);
    expect(parseLock(formatLock(forever), NOW)).toEqual({ state: 'active', lock: forever });
    const twoHours = makeLock('disk swap', 'root@bld-01', NOW, 2 * 3600e3);
    expect(twoHours.until).toBe('2026-11-28T12:00:00.000Z');
    expect(describeLock(parseLock(formatLock(twoHours), NOW), '/l', NOW)).toBe(
      'disabled by root@bld-01 since 2026-11-28T10:00:00.000Z, for 2h more: disk swap',
    );
  });

  it('a lock past its end no longer holds the worker back', () => {
    const lock = makeLock('x', 'y', NOW, 60_000);
    const later = new Date(NOW.getTime() + 60_000);
    expect(parseLock(formatLock(lock), later)).toEqual({ state: 'expired', lock });
    expect(holdsBack(parseLock(formatLock(lock), later))).toBe(false);
  });

  it.each([
    ['{', /^not JSON/],
    ['[]', /expected a JSON object/],
    ['{"reason": 1, "by": "b", "since": "2026-01-01T00:00:00Z"}', /'reason' must be a string/],
    ['{"reason": "r", "by": "b", "since": "yesterday"}', /'since' is not a time/],
    ['{"reason": "r", "by": "b", "since": "2026-01-01T00:00:00Z", "until": 5}', /'until' is not a time/],
  ])('a damaged lock %s is invalid, and still holds the worker back', (text, error) => {
    const status = parseLock(text, NOW);
    expect(status.state).toBe('invalid');
    expect(status.state === 'invalid' && status.error).toMatch(error);
    expect(holdsBack(status)).toBe(true);
  });

  it('no file: enabled', () => {
    expect(parseLock(null, NOW)).toEqual({ state: 'none' });
  });
});

describe('runner disable / enable / check', () => {
  const dir = sandbox('runner-lock-');
  const config = join(dir, 'runner.yaml');
  const lock = join(dir, 'state', 'off.json');
  writeFileSync(
    config,
    `checks: []\nlifecycle:\n  worker: { basedir: ${dir}/worker }\n  state_dir: ${dir}/state\n  lock: ${lock}\n`,
  );

  it("disable writes the config's lock, check reports it, enable removes it", async () => {
    const off = await runner(['disable', '--config', config, '--reason', 'swapping the disk', '--for', '2h'], {
      env: { SUDO_USER: 'alice' },
    });
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(/^disabled by alice@\S+ since .*, for 2h more: swapping the disk/);
    const written = JSON.parse(readFileSync(lock, 'utf8'));
    expect(written).toMatchObject({ reason: 'swapping the disk', by: expect.stringMatching(/^alice@/) });
    expect(Date.parse(written.until) - Date.parse(written.since)).toBe(2 * 3600e3);

    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(
        'checks: []',
        `checks:\n  - purge: { dirs: [${dir}/builds], missing_ok: true }`,
      ),
    );
    const check = await runner(['check', '--config', config, '--format', 'json']);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout).hosts[0].lock).toMatchObject({
      state: 'active',
      path: lock,
      lock: { reason: 'swapping the disk' },
    });
    const human = await runner(['check', '--config', config]);
    expect(human.stdout.split('\n')[0]).toMatch(/^note: disabled by alice@.*: swapping the disk$/);

    const on = await runner(['enable', '--config', config]);
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/^enabled: removed .*off\.json \(was: disabled by alice/);
    expect(existsSync(lock)).toBe(false);
    expect(
      JSON.parse((await runner(['check', '--config', config, '--format', 'json'])).stdout).hosts[0].lock,
    ).toBeUndefined();
    expect((await runner(['enable', '--config', config])).stdout).toMatch(/there was no lock/);
  });

  it('--lock names the file directly; a broken config without --lock is an error that says so', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'checks: []\nlifecycle:\n  worker: { basedir: /w }\n  lock: relative.json\n');
    const r = await runner(['disable', '--config', broken, '--reason', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.yaml:4:9: lifecycle\.lock: expected an absolute path/);
    expect(r.stderr).toMatch(/--lock FILE/);
    const direct = join(dir, 'direct.json');
    expect((await runner(['disable', '--lock', direct, '--reason', 'x'])).code).toBe(0);
    expect(parseLock(readFileSync(direct, 'utf8'), new Date()).state).toBe('active');
  });

  it('rejects a bad --for and a missing --reason', async () => {
    expect((await runner(['disable', '--lock', join(dir, 'l.json'), '--reason', 'x', '--for', 'soon'])).stderr).toMatch(
      /expected a duration like 30m/,
    );
    expect((await runner(['disable', '--lock', join(dir, 'l.json')])).stderr).toMatch(/--reason/);
    expect(existsSync(join(dir, 'l.json'))).toBe(false);
  });
});
