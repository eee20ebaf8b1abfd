import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleHg } from '../../fixtures/tools.js';
import { factsArgv } from '../../src/checks/tools/commands.js';
import { parseFacts } from '../../src/checks/tools/facts.js';
import { tools } from '../../src/checks/tools/index.js';
import { ToolsOptions } from '../../src/checks/tools/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import { SshHost } from '../../src/host/ssh.js';
import { VCS_ENV } from '../../src/host/vcs-run.js';
import { tools as fix } from '../../src/remediations/tools/index.js';
import { testContext } from '../helpers/context.js';
import { hgState, makeAmbiguous } from '../helpers/hg-states.js';
import { connectTo, sshClient, startSshd, type Sshd } from '../helpers/sshd.js';
import { sandbox } from '../helpers/tmp.js';
import { makeRepo, sh } from '../helpers/vcs.js';

// runner logged in as a plain user (no root, no become): no root mount namespace, so hg's own protection counts
const T = sandbox('runner-tools-ro-ssh-');
const ROUNDS = 5;
let sshd: Sshd;
let ssh: SshHost;
let user = '';

beforeAll(async () => {
  chmodSync(T, 0o755);
  const client = sshClient(join(T, 'client'));
  user = client.user;
  sshd = await startSshd({ dir: join(T, 'sshd'), address: '127.0.0.4', authorizedKeys: client.authorizedKeys });
  ssh = await connectTo(sshd, client, T);
  makeRepo(join(T, 'src'), 'hg');
  sh(T, 'hg clone -q src co && hg clone -q src settled');
  settleHg(join(T, 'settled'));
  sh(T, `chown -R ${user}: co settled`);
});

afterAll(async () => {
  await ssh?.close();
  await sshd?.stop();
});

const check = (path: string) =>
  runCheck(
    ssh,
    {
      check: tools,
      remediation: fix,
      options: ToolsOptions.parse({ checkouts: [{ path, vcs: 'hg', repo: join(T, 'src') }] }),
    },
    testContext('check'),
  );

describe('tools over SSH as a non-root user: check mode leaves .hg as it was', () => {
  it('proof the condition is real: as that user, a plain hg status after makeAmbiguous changes .hg', () => {
    const co = join(T, 'co');
    makeAmbiguous(co, user);
    const before = hgState(co);
    sh(co, `runuser -u ${user} -- hg status`);
    expect(hgState(co)).not.toBe(before);
  });

  it(`${ROUNDS} check-mode runs on a freshly ambiguous checkout ask hg and write nothing under .hg`, async () => {
    const co = join(T, 'co');
    for (let round = 0; round < ROUNDS; round++) {
      makeAmbiguous(co, user);
      const quick = await ssh.run('sh', factsArgv(co, 'hg', 'files'), { cwd: '/', env: VCS_ENV });
      expect(parseFacts(quick.stdout, 'hg')).toEqual({ state: 'ask-hg', why: 'an entry to compare by content' });
      const before = hgState(co);
      const checked = await check(co);
      expect(checked.status, checked.summary).toBe('ok');
      expect(hgState(co)).toBe(before);
    }
  });

  it('a settled checkout is judged without hg, and nothing under .hg changes either', async () => {
    const co = join(T, 'settled');
    const before = hgState(co);
    expect((await check(co)).status).toBe('ok');
    expect(hgState(co)).toBe(before);
  });
});
