import tsParser from '@typescript-eslint/parser';

// The house's floors, held by the linter: core imports nothing above it, checks are read-only and never reach
// into fixes, and side effects (fs, child_process, execa, ssh2) go through src/host/.
const SIDE_EFFECTS = [
  'fs',
  'fs/promises',
  'node:fs',
  'node:fs/promises',
  'child_process',
  'node:child_process',
  'execa',
  'ssh2',
];
const sideEffects = SIDE_EFFECTS.map((name) => ({ name, message: 'side effects go through src/host/' }));
const above = (dirs) => dirs.map((d) => ({ group: [`**/${d}/**`], message: `${d}/ is above this floor` }));

/** A fix may use its check's plan types and pure helpers, never the modules that read the host (the probe's own). */
const PROBE_MODULES = ['checks/*/index.js', 'checks/*/read.js', 'checks/*/scan.js', 'checks/*/expand.js'];
const probeModules = [...PROBE_MODULES, 'checks/tools/hg.js', 'checks/tools/git.js'].map((m) => ({
  group: [`**/${m}`],
  message: 'a fix imports from its check only plan types and pure helpers',
}));

const restrict = (patterns, paths = sideEffects) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });

export default [
  { ignores: ['dist/**', 'node_modules/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tsParser, parserOptions: { warnOnUnsupportedTypeScriptVersion: false } },
    rules: {
      'no-debugger': 'error',
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  { files: ['src/**/*.ts'], ignores: ['src/host/**'], rules: restrict([]) },
  {
    // the named z is zod's namespace as a value: the bundle would keep all of zod, every locale (600 kB) included
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
          message: "import * as z from 'zod': the named z bundles all of zod",
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict(
      above(['host', 'config', 'checks', 'remediations', 'inventory', 'lifecycle', 'audit', 'report', 'commands']),
    ),
  },
  {
    files: ['src/checks/**/*.ts'],
    rules: restrict(above(['remediations', 'lifecycle', 'audit', 'report', 'commands'])),
  },
  {
    files: ['src/remediations/**/*.ts'],
    rules: restrict([...above(['lifecycle', 'audit', 'report', 'commands']), ...probeModules]),
  },
];
