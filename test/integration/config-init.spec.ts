import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runner } from '../helpers/cli.js';
import { sandbox } from '../helpers/tmp.js';
import { ensureUser } from '../helpers/users.js';

const root = sandbox();

describe('runner config init: a commented starting config that validates', () => {
  it('finds the build roots, the worker basedir from buildbot.tac and the build user; writes -o, never overwrites', async () => {
    const machine = join(root, 'machine');
    const slave = join(machine, 'builds', 'slave');
    const worker = join(machine, 'builds', 'worker');
    mkdirSync(join(slave, 'info'), { recursive: true });
    mkdirSync(worker, { recursive: true });
    writeFileSync(join(worker, 'buildbot.tac'), `from twisted.application import service\nbasedir = r'${worker}'\n`);
    const build = ensureUser('rtest-build');
    chownSync(worker, build.uid, build.gid);
    const out = join(root, 'runner.yaml');
    const init = await runner(['config', 'init', '--root', machine, '-o', out]);
    expect([init.code, init.stderr]).toEqual([0, `wrote ${out}; check it, then: runner config validate -c ${out}`]);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain(`  - purge: { dirs: [${slave}, ${worker}], max_age: 14d, keep: [info] }`);
    expect(text).toContain('  - processes: { users: [rtest-build] }');
    expect(text).toContain(`  worker: { basedir: ${worker}, user: rtest-build }`);
    expect(text).toContain(`# build user rtest-build (owner of ${worker})`);
    const valid = await runner(['config', 'validate', '-c', out]);
    expect([valid.code, valid.stdout]).toEqual([0, `${out}: ok (3 checks: purge, processes, temp)`]);
    // never overwrites: the file stays as it was
    writeFileSync(out, 'mine\n');
    const again = await runner(['config', 'init', '--root', machine, '-o', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${out} exists: runner config init never overwrites a config`);
    expect(readFileSync(out, 'utf8')).toBe('mine\n');
  });

  it('is valid on a machine where nothing is found, and says what it looked for', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const init = await runner(['config', 'init', '--root', empty]);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`# no build root at ${join(empty, 'builds', 'slave')}`);
    expect(init.stdout).toContain('no buildbot.tac found');
    const file = join(root, 'empty.yaml');
    writeFileSync(file, init.stdout);
    const valid = await runner(['config', 'validate', '-c', file]);
    expect([valid.code, valid.stdout]).toEqual([0, `${file}: ok (no checks)`]);
  });

  it("takes a buildbot.tac's basedir only when it is a valid base dir, and quotes what is not plain", async () => {
    const machine = join(root, 'hostile');
    const slave = join(machine, 'builds', 'slave');
    mkdirSync(slave, { recursive: true });
    writeFileSync(join(slave, 'buildbot.tac'), "basedir = '/etc'\n");
    const init = await runner(['config', 'init', '--root', machine]);
    expect(init.stdout).toContain(`  worker: { basedir: ${slave} }`);
    expect(init.stdout).toContain(`${slave} is owned by root: no build user`);
    const file = join(root, 'hostile.yaml');
    writeFileSync(file, init.stdout);
    expect((await runner(['config', 'validate', '-c', file])).code).toBe(0);
  });
});
