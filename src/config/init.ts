/** What `runner config init` found on this machine. */
export interface Found {
  host: string;
  /** existing build roots, e.g. /builds/slave */
  baseDirs: string[];
  /** the buildbot worker basedir (where buildbot.tac is) */
  workerBasedir?: string;
  /** owner of the worker basedir (or of the first base dir), when not root */
  buildUser?: string;
  /** what was looked at and what was found, as comment lines */
  notes: string[];
}

/** A commented runner.yaml that validates as written: what was not found is left as comments to fill in. */
export function renderInitConfig(found: Found): string {
  const f = {
    ...found,
    baseDirs: found.baseDirs.map(scalar),
    workerBasedir: found.workerBasedir && scalar(found.workerBasedir),
  };
  const user = found.buildUser && scalar(found.buildUser);
  const checks = [
    ...(f.baseDirs.length
      ? [
          '  # deletes build dirs past max_age, then oldest first until the disk has `free` (set it for this disk)',
          `  - purge: { dirs: [${f.baseDirs.join(', ')}], max_age: 14d, keep: [info] }`,
          '  # clobber: fill in your clobberer feed, then uncomment',
          `  # - clobber: { dir: ${f.baseDirs[0]}, feed: https://clobberer.example/clobberer/lastclobber/all }`,
        ]
      : ['  # no build root found (looked for /builds/slave, /builds/worker): add purge: { dirs: [...] }']),
    ...(user
      ? [
          `  # what the last job left running, and its temporary files, as the build user ${user}`,
          `  - processes: { users: [${user}] }`,
          `  - temp: { paths: ["/tmp/*"], users: [${user}], keep: ["/tmp/.X11-unix"] }`,
        ]
      : ['  # no build user found (the owner of the worker basedir): add processes: and temp: with its name']),
    '  # - puppet: { max_age: 4h }',
  ];
  const lifecycle = f.workerBasedir
    ? [
        '',
        '# runner daemon: the pre-job loop around this buildbot worker (runner config help lifecycle)',
        'lifecycle:',
        `  worker: { basedir: ${f.workerBasedir}${user ? `, user: ${user}` : ''} }`,
        "  drain: { via: stamp }   # needs allow_shutdown = 'file' in buildbot.tac",
      ]
    : ['', '# no buildbot.tac found: add lifecycle: { worker: { basedir: ... } } to use runner daemon'];
  return [
    `# runner.yaml written by runner config init from what this machine has: a start, check it before use.`,
    '# Every option: runner checks ID, runner config help lifecycle. Validate: runner config validate -c FILE',
    ...f.notes.map((n) => `# ${n.replace(/[\r\n]/g, ' ')}`),
    'checks:',
    ...(checks.some((l) => l.startsWith('  - ')) ? checks : ['  []', ...checks]),
    ...lifecycle,
    '',
  ].join('\n');
}

/** A plain YAML scalar when it is one, else double-quoted (a path from buildbot.tac is the build user's text). */
function scalar(text: string): string {
  return /^[\w./+-]+$/.test(text) ? text : JSON.stringify(text);
}
