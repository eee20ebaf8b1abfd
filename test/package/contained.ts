import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MountNamespace } from '../helpers/mountns.js';

/** PATH of a machine without the repo: nothing of /work, no node_modules/.bin. */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * A mount namespace that stands for a fresh machine: /usr, /etc and /var are overlays whose writes land in a
 * tmpfs under `dir` (dpkg -i there leaves the machine's own dpkg database and files untouched), and /work
 * (the repo, its node_modules) is hidden under an empty tmpfs: what runs there cannot read the clone.
 */
export async function freshMachine(dir: string) {
  const ns = await MountNamespace.start();
  const layers = join(dir, 'layers');
  mkdirSync(layers);
  await ns.exec(['mount', '-t', 'tmpfs', '-o', 'size=512m', 'tmpfs', layers]);
  for (const d of ['usr', 'etc', 'var']) {
    const [upper, work] = [join(layers, d, 'upper'), join(layers, d, 'work')];
    await ns.exec(['mkdir', '-p', upper, work]);
    await ns.exec([
      'mount',
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=/${d},upperdir=${upper},workdir=${work}`,
      `/${d}`,
    ]);
  }
  await ns.mountTmpfs('/work');
  return { run: (argv: readonly string[]) => run(ns, argv), close: () => ns.close() };
}

/** argv in the namespace, from /, with the environment of a root shell on that machine; never rejects. */
async function run(ns: MountNamespace, argv: readonly string[]) {
  const r = await ns.exec(argv, {
    reject: false,
    cwd: '/',
    extendEnv: false,
    env: { PATH: SYSTEM_PATH, HOME: '/root', LANG: 'C.UTF-8', NO_COLOR: '1' },
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}
