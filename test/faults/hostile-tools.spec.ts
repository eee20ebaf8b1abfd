import { planOf } from '../../src/core/types.js';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tools } from '../../src/checks/tools/index.js';
import { ToolsOptions } from '../../src/checks/tools/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import type { Mode, Result } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import { tools as fix } from '../../src/remediations/tools/index.js';
import { testContext } from '../helpers/context.js';
import { sandbox } from '../helpers/tmp.js';
import { ensureUser } from '../helpers/users.js';
import { makeRepo, sh } from '../helpers/vcs.js';

// The build user owns the checkouts and attacks runner through them; root-owned decoys outside must not change.
const host = new LocalHost();
const T = sandbox('runner-hostile-tools-');
const USER = 'rtest-build';
const D = join(T, 'decoys');
const DECOY = join(D, 'important');
const DECOY_DIR = join(D, 'precious');
const SECRET = join(D, 'secret');
const SECRET_WORD = 'SECRET-7f3a9c';
const src = { hg: join(T, 'src', 'hg'), git: join(T, 'src', 'git') };

const asUser = (cwd: string, script: string) => sh(cwd, `runuser -u ${USER} -- sh -ec '${script}'`);
const hex = (s: string) => Buffer.from(s).toString('hex');

beforeAll(() => {
  ensureUser(USER);
  chmodSync(T, 0o755);
  mkdirSync(join(T, 'src'));
  for (const vcs of ['hg', 'git'] as const) makeRepo(src[vcs], vcs);
  sh(T, `chown -R ${USER}: src`);
  mkdirSync(join(DECOY_DIR, 'sub'), { recursive: true });
  writeFileSync(join(DECOY_DIR, 'sub', 'data'), 'keep me');
  writeFileSync(DECOY, 'root:x:0:0\n', { mode: 0o600 });
  writeFileSync(SECRET, `[paths]\ndefault = /${SECRET_WORD}\n`, { mode: 0o600 });
  chmodSync(D, 0o755);
});

/** Content, mode, owner and mtime of every decoy: must be the same after every attack. */
function decoys(): string {
  return [D, DECOY, DECOY_DIR, join(DECOY_DIR, 'sub'), join(DECOY_DIR, 'sub', 'data'), SECRET]
    .map((p) => {
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st) return `${p} missing`;
      const content = st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : '';
      return `${p} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.mtimeMs} ${content}`;
    })
    .join('\n');
}

async function run(mode: Mode, checkouts: unknown[], extra: object = {}): Promise<Result> {
  return runCheck(
    host,
    { check: tools, remediation: fix, options: ToolsOptions.parse({ checkouts, ...extra }) },
    testContext(mode),
  );
}

/** A clone owned by the build user at T/<name>/tools, made by the build user. */
function userCheckout(name: string, vcs: 'hg' | 'git'): string {
  const parent = join(T, name);
  mkdirSync(parent);
  chownSync(parent, ensureUser(USER).uid, ensureUser(USER).gid);
  asUser(parent, `${vcs} clone -q ${src[vcs]} tools`);
  return join(parent, 'tools');
}

describe('tools against a hostile build user', () => {
  it('hg: an .hg/hgrc planting leftover records (NUL- and newline-framed) removes nothing and plans nothing', async () => {
    const before = decoys();
    const path = userCheckout('plant-hg', 'hg');
    // hg accepts a NUL inside a value; the old framing read what follows as a `leftover` record
    appendFileSync(
      join(path, '.hg', 'hgrc'),
      `# leftover ${hex(DECOY)}\n# status\nx = \0leftover\0${DECOY_DIR}\0leftover\0${DECOY}`,
    );
    const co = { path, vcs: 'hg', repo: src.hg, user: USER };
    const checked = await run('check', [co]);
    expect(JSON.stringify(checked)).not.toContain(D);
    expect(checked.status).toBe('ok');
    await run('apply', [co]);
    expect(decoys()).toBe(before);
  });

  it('apply re-checks every leftover of a plan: a path that is not a temp clone or .deleteme beside the checkout is refused', async () => {
    const before = decoys();
    const options = ToolsOptions.parse({ checkouts: [{ path: join(T, 'w', 'tools'), vcs: 'hg', repo: src.hg }] });
    const plan = {
      path: join(T, 'w', 'tools'),
      vcs: 'hg' as const,
      action: 'update' as const,
      reasons: [],
      to: { spec: 'branch default' },
      pull: false,
      clean: [],
      dirty: 0,
    };
    const applied = fix.apply(
      host,
      { checkouts: [{ ...plan, leftovers: [DECOY, `${T}/w/.tools.runner-clone-1/../../decoys/precious`] }] },
      options,
      testContext('apply'),
    );
    await expect(applied).rejects.toThrow(
      `refusing to remove leftovers: "${DECOY}" is not a temp clone or .deleteme dir of ${T}/w/tools: not removed`,
    );
    expect(decoys()).toBe(before);
  });

  it('git: a remote URL and file names planting newline-framed records remove nothing and plan no leftover', async () => {
    const before = decoys();
    const path = userCheckout('plant-git', 'git');
    const planted = `${src.git}\nleftover ${hex(DECOY)}\nstatus\n`;
    execFileSync('runuser', ['-u', USER, '--', 'git', '-C', path, 'config', 'remote.origin.url', planted]);
    const name = join(path, `x\nleftover ${hex(DECOY_DIR)}\nstate ${hex('missing')}\n`);
    writeFileSync(name, '');
    chownSync(name, ensureUser(USER).uid, ensureUser(USER).gid);
    expect(readFileSync(join(path, '.git', 'config'), 'utf8')).toContain('leftover');
    const co = { path, vcs: 'git', repo: src.git, user: USER };
    const checked = await run('check', [co]);
    expect(checked.status).toBe('drift');
    expect(planOf(checked)).toMatchObject({ checkouts: [{ action: 'reclone', leftovers: [] }] });
    expect(JSON.stringify(checked)).not.toContain(D);
    expect((await run('apply', [co])).status).toBe('changed');
    expect(decoys()).toBe(before);
  });

  it('hg, run as root: an .hg/hgrc symlinked to a root-only file fails naming it, and none of its content shows', async () => {
    const parent = join(T, 'link');
    mkdirSync(parent);
    sh(parent, `hg clone -q ${src.hg} tools && ln -sf ${SECRET} tools/.hg/hgrc`);
    const checked = await run('check', [{ path: join(parent, 'tools'), vcs: 'hg', repo: src.hg }]);
    expect(checked.status).toBe('failed');
    expect(checked.summary).toContain(`${parent}/tools/.hg/hgrc is a symbolic link, not a regular file`);
    expect(JSON.stringify(checked)).not.toContain(SECRET_WORD);
  });

  it.each(['hgrc', 'dirstate'])(
    'hg: an .hg/%s that is a FIFO fails at once naming it, instead of hanging until the timeout',
    async (file) => {
      const path = userCheckout(`fifo-${file}`, 'hg');
      asUser(path, `rm -f .hg/${file} && mkfifo .hg/${file}`);
      const checked = await run('check', [{ path, vcs: 'hg', repo: src.hg, user: USER }], { timeout: '20s' });
      expect(checked.status).toBe('failed');
      expect(checked.summary).toContain(`${path}/.hg/${file} is a fifo, not a regular file`);
    },
    60_000,
  );

  it('hg: a FIFO where only hg itself reads (.hg/requires) ends the probe at its timeout, the hg it started killed too', async () => {
    const path = userCheckout('fifo-requires', 'hg');
    asUser(path, 'rm -f .hg/requires && mkfifo .hg/requires');
    const checked = await run('check', [{ path, vcs: 'hg', repo: src.hg, user: USER }], { timeout: '3s' });
    expect(checked.summary).toContain(`reading hg checkout ${path} as ${USER}: timed out`);
    expect(sh('/', `ps -u ${USER} -o args= | grep -c -- "${path}" || true`)).toBe('0');
  }, 60_000);

  it('clone: an attacker swapping each new temp clone dir for a symlink to a root-owned file or dir changes neither (30 tries)', async () => {
    const before = decoys();
    const parent = join(T, 'race');
    mkdirSync(parent);
    chownSync(parent, ensureUser(USER).uid, ensureUser(USER).gid);
    const attacker = await swapper(parent, '.tools.runner-clone-', [DECOY, DECOY_DIR]);
    const co = { path: join(parent, 'tools'), vcs: 'git', repo: src.git, user: USER };
    try {
      for (let i = 0; i < 30; i++) {
        await run('apply', [co]);
        expect(decoys(), `after try ${i + 1}`).toBe(before);
        sh(parent, 'rm -rf -- tools .tools.runner-clone-*');
      }
    } finally {
      attacker.stdin.end();
    }
    const swaps = (await attacker.output).split('\n').filter((l) => l === 'swapped').length;
    // the attack was carried out, not merely attempted
    expect(swaps).toBeGreaterThan(0);
  }, 180_000);
});

/** As the build user: watches `dir` (inotify) and replaces every new dir named `prefix…` with a symlink to a target. */
async function swapper(dir: string, prefix: string, targets: string[]) {
  const child = spawn('runuser', ['-u', USER, '--', '/usr/bin/python3', '-c', SWAPPER, dir, prefix, ...targets], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const output = new Promise<string>((resolve) => child.once('close', () => resolve(out)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.startsWith('ready\n')) resolve();
    });
    child.once('close', (code) => reject(new Error(`swapper exited ${code}: ${out}`)));
  });
  return { stdin: child.stdin, output };
}

const SWAPPER = `
import ctypes, os, select, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
d, prefix, targets = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
fd = libc.inotify_init1(0)
if fd < 0 or libc.inotify_add_watch(fd, d, 0x100) < 0:
    sys.exit('inotify: errno %d' % ctypes.get_errno())
print('ready', flush=True)
n = 0
while True:
    ready = select.select([fd, 0], [], [])[0]
    if 0 in ready and not os.read(0, 1):
        break
    if fd not in ready:
        continue
    buf, i = os.read(fd, 65536), 0
    while i < len(buf):
        length = struct.unpack_from('iIII', buf, i)[3]
        name = buf[i + 16:i + 16 + length].rstrip(b'\\0')
        i += 16 + length
        if name.startswith(prefix):
            p = os.path.join(d, name)
            try:
                os.rmdir(p)
                os.symlink(targets[n % len(targets)], p)
                n += 1
                print('swapped', flush=True)
            except OSError:
                pass
`;
