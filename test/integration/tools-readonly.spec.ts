import { chmodSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tools } from '../../src/checks/tools/index.js';
import { ToolsOptions } from '../../src/checks/tools/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import type { Mode } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import { tools as fix } from '../../src/remediations/tools/index.js';
import { testContext } from '../helpers/context.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree } from '../helpers/tree.js';
import { makeRepo, sh } from '../helpers/vcs.js';
import { ensureUser } from '../helpers/users.js';

const host = new LocalHost();
const T = sandbox('runner-tools-ro-');
const USER = 'rtest-tools';
const ROUNDS = 10;

/**
 * Puts every dirstate entry in the state a fresh clone or update leaves a file written in the same second
 * as the dirstate: "mtime unknown, look at the content". The next `hg status` that finds the file clean
 * (its mtime now safely in the past) records that by rewriting .hg/dirstate, and recreates .hg/wcache.
 */
function makeAmbiguous(path: string, user?: string): void {
  const script = 'hg debugrebuilddirstate && rm -rf .hg/wcache && touch -d "1 hour ago" VERSION';
  sh(path, user ? `runuser -u ${user} -- sh -ec '${script}'` : script);
}

/** Everything hg could write: .hg's own mtime, the dirstate's bytes, and every name, size and mtime under .hg. */
function hgState(path: string): string {
  const hg = join(path, '.hg');
  return `${lstatSync(hg).mtimeMs} ${readFileSync(join(hg, 'dirstate')).toString('hex')} ${hashTree(hg)}`;
}

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
  });
});
