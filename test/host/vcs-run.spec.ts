import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CommandError, HostUnreachableError } from '../../src/core/errors.js';
import { LocalHost } from '../../src/host/local.js';
import { VcsTimeout, vcsAnswered, vcsRunner } from '../../src/host/vcs-run.js';
import { freePort } from '../helpers/ports.js';

const host = new LocalHost();

/** What a VcsRun threw, run for real. */
async function failureOf(args: string[], timeoutMs = 30_000): Promise<unknown> {
  return vcsRunner(
    host,
    { vcs: 'hg' },
    timeoutMs,
  )(args, { doing: 'asking' }).then(
    () => expect.unreachable('it should fail'),
    (err: unknown) => err,
  );
}

describe('vcsAnswered: which failures are the vcs answering, the same from any host', () => {
  it('hg failing on its own (exit 255) is an answer', async () => {
    const err = await failureOf(['identify', '--', '/nonexistent/repo']);
    expect(err).toBeInstanceOf(CommandError);
    expect(vcsAnswered(err)).toBe(true);
  });

  it('a remote that never answers, until the timeout, is an answer', async () => {
    const held: Socket[] = [];
    const silent = createServer((s) => held.push(s));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      const err = await failureOf(['identify', '--', `http://127.0.0.1:${port}/`], 1000);
      expect(err).toBeInstanceOf(VcsTimeout);
      expect(vcsAnswered(err)).toBe(true);
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
  });

  it('a vcs that cannot run there, a killed one or a lost host is that host’s failure', () => {
    expect(vcsAnswered(new CommandError(['hg'], 127, 'sh: hg: not found', 'asking'))).toBe(false);
    expect(vcsAnswered(new CommandError(['hg'], 126, 'sh: hg: Permission denied', 'asking'))).toBe(false);
    expect(vcsAnswered(new CommandError(['hg'], undefined, '', 'asking'))).toBe(false);
    expect(vcsAnswered(new HostUnreachableError('bld-1', 'dropped', 'connection lost'))).toBe(false);
  });
});
