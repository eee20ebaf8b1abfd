import { planOf } from '../../src/core/types.js';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToolsCheckouts, makeToolsSources } from '../../fixtures/tools.js';
import { tools } from '../../src/checks/tools/index.js';
import { ToolsOptions } from '../../src/checks/tools/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import type { Host, Mode, Result } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import { SshHost } from '../../src/host/ssh.js';
import { parseKnownHosts } from '../../src/host/ssh/known-hosts.js';
import { tools as fix } from '../../src/remediations/tools/index.js';
import { testContext } from '../helpers/context.js';
import { knownHostsLine, sshClient, startSshd, type Sshd } from '../helpers/sshd.js';
import { sandbox } from '../helpers/tmp.js';
import { sh } from '../helpers/vcs.js';

// The same tools check over a real sshd (as the test's ssh user), unchanged: probe, plan, clone, update, leftovers.
const root = sandbox('runner-tools-ssh-');
let sshd: Sshd;
let ssh: SshHost;
let user = '';
let raw: { checkouts: { path: string; vcs: 'hg' | 'git'; repo: string }[] };

beforeAll(async () => {
  chmodSync(root, 0o755);
  const client = sshClient(join(root, 'client'));
  user = client.user;
  sshd = await startSshd({ dir: join(root, 'sshd'), address: '127.0.0.3', authorizedKeys: client.authorizedKeys });
  const target = {
    name: 'h1',
    address: sshd.address,
    port: sshd.port,
    user,
    identityFiles: [client.key],
    explicitIdentity: true,
    become: false,
  };
  ssh = await SshHost.connect(target, {
    knownHosts: parseKnownHosts(knownHostsLine(sshd)),
    recordTo: join(root, 'kh'),
    acceptNew: false,
    connectTimeoutMs: 20_000,
  });
  // sources and drifted checkouts owned by the ssh user (git serves no one else's repo)
  const work = join(root, 'work');
  mkdirSync(work);
  const checkouts = makeToolsCheckouts(work, makeToolsSources(work), { drifted: true });
  sh(root, `chown -R ${user}: work`);
  raw = {
    checkouts: [
      ...checkouts,
      { path: join(work, 'tools', 'fresh-git'), vcs: 'git', repo: join(work, 'tools-src', 'git') },
    ],
  };
  mkdirSync(join(work, 'tools', '.fresh-git.runner-clone-dead'));
  writeFileSync(join(work, 'tools', '.fresh-git.runner-clone-dead', 'half'), '');
  sh(root, `chown -R ${user}: work/tools`);
});

afterAll(async () => {
  await ssh?.close();
  await sshd?.stop();
});

async function run(host: Host, mode: Mode, extra: object = {}): Promise<Result> {
  return runCheck(
    host,
    { check: tools, remediation: fix, options: ToolsOptions.parse({ ...raw, ...extra }) },
    testContext(mode),
  );
}

describe('tools over SSH', () => {
  it('plans what the local check plans, fixes it over the connection, and is then ok on both', async () => {
    const over = await run(ssh, 'check');
    // locally as root, running the vcs as the ssh user who owns the checkouts: the same plan
    const here = await run(new LocalHost(), 'check', { checkouts: raw.checkouts.map((c) => ({ ...c, user })) });
    expect(over.status).toBe('drift');
    expect(planOf(over)).toEqual(planOf(here));
    expect(over.summary).toMatch(
      /3 of 3 checkouts drifted: .*hg-1: update from .* 2 local changes.*git-1: update .*fresh-git: clone/,
    );

    expect((await run(ssh, 'apply')).status).toBe('changed');
    for (const c of raw.checkouts) expect(readFileSync(join(c.path, 'VERSION'), 'utf8')).toBe('4.0.0\n');
    expect(sh(root, `find work/tools ! -user ${user} | head -3`)).toBe('');
    expect(sh(root, 'ls -A work/tools')).toBe('fresh-git\ngit-1\nhg-1');
    expect((await run(ssh, 'check')).status).toBe('ok');
  });
});
