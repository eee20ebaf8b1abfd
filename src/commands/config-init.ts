import { join } from 'node:path/posix';
import { renderInitConfig, type Found } from '../config/init.js';
import { BaseDir } from '../core/path-rules.js';
import { ConfigError } from '../core/errors.js';
import type { Io } from '../core/io.js';
import type { ReadHost } from '../core/types.js';
import { lookupUser } from '../core/users.js';
import { createExclusive } from '../host/local-files.js';
import { LocalHost } from '../host/local.js';

/** Where build roots live on the workers runner knows (Mozilla's buildbot slaves and workers). */
const BUILD_ROOTS = ['/builds/slave', '/builds/worker'];

/** `runner config init [-o FILE] [--root DIR]`: a commented starting config for this machine (`--root`: look under DIR). */
export async function initConfig(opts: { output?: string; root?: string }, io: Io): Promise<number> {
  const host = new LocalHost();
  const text = renderInitConfig(await discover(host, opts.root ?? '/'));
  if (opts.output === undefined) {
    io.stdout.write(text);
    return 0;
  }
  if (!(await createExclusive(opts.output, text)))
    throw new ConfigError(
      `${opts.output} exists: runner config init never overwrites a config (remove it, or pick another -o)`,
    );
  io.stderr.write(`wrote ${opts.output}; check it, then: runner config validate -c ${opts.output}\n`);
  return 0;
}

async function discover(host: ReadHost, root: string): Promise<Found> {
  const notes: string[] = [];
  const baseDirs: string[] = [];
  for (const dir of BUILD_ROOTS.map((d) => join(root, d))) {
    const st = await host.lstat(dir);
    if (st?.type === 'dir' && BaseDir.safeParse(dir).success) baseDirs.push(dir);
    notes.push(st?.type === 'dir' ? `build root ${dir}` : `no build root at ${dir}`);
  }
  const worker = await findWorker(host, baseDirs, notes);
  const owned = worker ?? baseDirs[0];
  const uid = owned === undefined ? undefined : (await host.lstat(owned))?.uid;
  const user = uid === undefined || uid === 0 ? undefined : (await lookupUser(host, uid))?.name;
  if (owned) notes.push(user ? `build user ${user} (owner of ${owned})` : `${owned} is owned by root: no build user`);
  return {
    host: host.name,
    baseDirs,
    notes,
    ...(worker ? { workerBasedir: worker } : {}),
    ...(user ? { buildUser: user } : {}),
  };
}

/** The worker basedir: a build root holding buildbot.tac, or the `basedir` that tac names, when it is a valid base dir. */
async function findWorker(host: ReadHost, dirs: readonly string[], notes: string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    const tac = await host.readFile(join(dir, 'buildbot.tac'), { maxBytes: 64 * 1024 }).catch(() => null);
    if (tac === null) continue;
    // data, never Python: a top-level basedir = '...' line, taken only when it is a valid base dir
    const named = /^basedir\s*=\s*r?(['"])([^'"\n]+)\1\s*$/m.exec(tac)?.[2];
    const basedir = named !== undefined && BaseDir.safeParse(named).success ? named : dir;
    notes.push(
      `buildbot.tac in ${dir}${named ? ` (basedir = ${JSON.stringify(named)})` : ''}: worker basedir ${basedir}`,
    );
    return basedir;
  }
  notes.push('no buildbot.tac in the build roots');
  return undefined;
}
