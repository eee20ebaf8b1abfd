// Builds dist/NAME_VERSION_ARCH.deb from a staging tree, dist/deb/: the single executable (scripts/sea.mjs) as
// /usr/bin/runner, the systemd unit, the default config (a conffile), /var/lib/runner (root, 0700) and the
// maintainer scripts of deploy/debian/. Every mode is set here, whatever the checkout's umask; dpkg-deb
// --root-owner-group makes every owner root, so no fakeroot.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
const root = 'dist/deb';
rmSync(root, { recursive: true, force: true });

const dir = (path, mode = 0o755) => {
  mkdirSync(join(root, path), { recursive: true });
  // mkdir's mode goes through the umask; chmod does not
  for (let d = path; d !== '.' && d !== '/'; d = dirname(d)) chmodSync(join(root, d), d === path ? mode : 0o755);
};
const file = (from, to, mode) => {
  dir(dirname(to));
  copyFileSync(from, join(root, to));
  chmodSync(join(root, to), mode);
};

chmodSync(root.split('/')[0], 0o755);
dir('.');
file('dist/sea/runner', 'usr/bin/runner', 0o755);
file('deploy/runner.service', 'lib/systemd/system/runner.service', 0o644);
file('deploy/debian/runner.yaml', 'etc/runner/runner.yaml', 0o644);
file('README.md', `usr/share/doc/${pkg.name}/README.md`, 0o644);
// last_run.json, events.jsonl, the lock: root's alone (the unit's StateDirectoryMode says the same)
dir('var/lib/runner', 0o700);
for (const script of ['postinst', 'prerm', 'postrm']) file(`deploy/debian/${script}`, `DEBIAN/${script}`, 0o755);
writeFileSync(join(root, 'DEBIAN/conffiles'), '/etc/runner/runner.yaml\n');
chmodSync(join(root, 'DEBIAN/conffiles'), 0o644);

const installedKiB = Math.ceil(statSync(join(root, 'usr/bin/runner')).size / 1024) + 64;
const control = `Package: ${pkg.name}
Version: ${pkg.version}
Architecture: ${arch}
Maintainer: runner maintainers <runner@ci-worker-runner.invalid>
Installed-Size: ${installedKiB}
Depends: libc6 (>= 2.28), libgcc-s1, libstdc++6 (>= 6)
Suggests: buildbot-worker, mercurial, git, puppet, prometheus-node-exporter
Section: admin
Priority: optional
Homepage: https://www.npmjs.com/package/${pkg.name}
Description: keeps CI build workers clean between jobs instead of rebooting them
 runner checks and fixes what a build leaves behind on a CI worker (clobber
 requests, old build dirs, the tools checkout, puppet drift, stray processes,
 temp files) as idempotent check/fix pairs, runs the buildbot worker between
 them (runner daemon, runner.service) and audits a pool over SSH.
 .
 /usr/bin/runner is one executable with its own Node.js inside: the machine
 needs none.
`;
writeFileSync(join(root, 'DEBIAN/control'), control);
chmodSync(join(root, 'DEBIAN/control'), 0o644);

const deb = `dist/${pkg.name}_${pkg.version}_${arch}.deb`;
// zstd -9: 28 MB in 3 s; xz -6 is 22 MB but takes two minutes on a 2-core machine. Debian 12's dpkg reads both
execFileSync('dpkg-deb', ['--root-owner-group', '-Zzstd', '-z9', '--build', root, deb], { stdio: 'ignore' });
console.log(deb);
