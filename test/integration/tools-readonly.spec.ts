import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { settleHg } from '../../fixtures/tools.js';
import { tools } from '../../src/checks/tools/index.js';
import { ToolsOptions } from '../../src/checks/tools/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import type { Mode } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import { tools as fix } from '../../src/remediations/tools/index.js';
import { runner } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { sandbox } from '../helpers/tmp.js';
import { hgState, makeAmbiguous } from '../helpers/hg-states.js';
import { headOf, makeRepo, sh } from '../helpers/vcs.js';
import { ensureUser } from '../helpers/users.js';

const host = new LocalHost();
const T = sandbox('runner-tools-ro-');
const USER = 'rtest-tools';
const ROUNDS = 10;

async function run(mode: Mode, checkouts: unknown[]) {
  return runCheck(
    host,
    { check: tools, remediation: fix, options: ToolsOptions.parse({ checkouts }) },
    testContext(mode),
  );
}

describe('tools: check mode leaves .hg as it was, although hg status would rewrite the dirstate', () => {
  const src = join(T, 'src');
  const mine = { path: join(T, 'root-co'), vcs: 'hg', repo: src };
  const theirs = { path: join(T, 'user-co'), vcs: 'hg', repo: src, user: USER };
  beforeAll(() => {
    ensureUser(USER);
    chmodSync(T, 0o755);
    makeRepo(src, 'hg');
    sh(T, `hg clone -q src root-co && hg clone -q src user-co && chown -R ${USER}: user-co`);
  });

  it('proof the condition is real: a plain hg status after makeAmbiguous changes .hg', () => {
    makeAmbiguous(mine.path);
    const before = hgState(mine.path);
    sh(mine.path, 'hg status');
    expect(hgState(mine.path)).not.toBe(before);
  });

  // ROUNDS rounds, each with a fresh ambiguous dirstate in both checkouts (root's and the build user's)
  it(`${ROUNDS} check-mode runs on freshly ambiguous checkouts write nothing under .hg`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      makeAmbiguous(mine.path);
      makeAmbiguous(theirs.path, USER);
      const before = [hgState(mine.path), hgState(theirs.path)];
      const checked = await run('check', [mine, theirs]);
      expect(checked.status, checked.summary).toBe('ok');
      expect([hgState(mine.path), hgState(theirs.path)]).toEqual(before);
    }
  }, 180_000); // each round starts hg six times: over a minute on a loaded 2-core machine
});

describe('tools: `runner check` of a clean, settled hg checkout starts no hg at all', () => {
  const src = join(T, 'count-src');
  const path = join(T, 'count-co');
  const log = join(T, 'hg-calls.log');
  // an `hg` first on PATH that records every call, then runs the real one
  const wrapper = join(T, 'bin');
  const checkHg = async () => {
    writeFileSync(log, '');
    const yaml = `checks:\n  - tools: { checkouts: [ { path: ${path}, vcs: hg, repo: ${src}, revision: ${headOf(path, 'hg')} } ] }\n`;
    writeFileSync(join(T, 'count.yaml'), yaml);
    const r = await runner(['check', '--config', join(T, 'count.yaml')], {
      env: { PATH: `${wrapper}:${process.env.PATH}` },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return readFileSync(log, 'utf8').split('\n').filter(Boolean);
  };
  beforeAll(() => {
    makeRepo(src, 'hg');
    sh(T, `hg clone -q count-src count-co`);
    mkdirSync(wrapper);
    writeFileSync(join(wrapper, 'hg'), `#!/bin/sh\necho "$*" >> ${log}\nexec ${sh('/', 'command -v hg')} "$@"\n`, {
      mode: 0o755,
    });
  });

  it('none once the dirstate records the files clean; one `hg status` while it cannot tell (the counter works)', async () => {
    makeAmbiguous(path);
    expect(await checkHg()).toEqual(['status -mardu -0']);
    settleHg(path);
    expect(await checkHg()).toEqual([]);
  });
});
