import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNNER } from '../lib.js';
import type { Variant } from './hosts.js';
import type { Fleet } from './index.js';
import { writeProbeScript } from './script.js';

/** The one key exchange every side is held to (OpenSSH's default, sntrup761x25519, costs about twice the CPU). */
export const KEX = 'curve25519-sha256';

export const PLAYBOOK = fileURLToPath(new URL('../../../bench/ansible/audit.yml', import.meta.url));

export interface Side {
  /** `before`: another build of runner (BENCH_BEFORE), alternated with this one under the same load */
  name: 'runner' | 'before' | 'ansible' | 'floor' | 'script';
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** exit codes of a good run */
  ok: number[];
  /** what the run wrote (report, recap), for checking its verdicts */
  output: string;
  /** after each run, outside the timing: stop what the run left behind */
  after?: () => Promise<void>;
}

/** The same SSH options for OpenSSH on both OpenSSH sides: the pool's key and known_hosts, the forced kex. */
function sshOptions(fleet: Fleet): string[] {
  return [
    `-o UserKnownHostsFile=${fleet.knownHosts}`,
    '-o GlobalKnownHostsFile=/dev/null',
    '-o StrictHostKeyChecking=yes',
    '-o BatchMode=yes',
    `-o KexAlgorithms=${KEX}`,
    '-o IdentitiesOnly=yes',
  ];
}

// no agent: every side authenticates with the pool's key file alone
const ENV = { ...process.env, SSH_AUTH_SOCK: '' };

export function runnerSide(fleet: Fleet, n: number, variant: Variant, before?: string): Side {
  const name = before ? 'before' : 'runner';
  const dir = join(fleet.shared.root, `${name}-${variant}`);
  mkdirSync(dir, { recursive: true });
  const output = join(dir, 'report.json');
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=DIR", go to runner's node
  const node = ['node', ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const argv = [
    ...node,
    before ?? RUNNER,
    'audit',
    '-i',
    fleet.runnerInventory[variant],
    '--known-hosts',
    fleet.knownHosts,
    '--kex',
    KEX,
    '--forks',
    String(n),
    '--format',
    'json',
    '-o',
    output,
    '--stats',
    join(dir, 'stats.json'),
  ];
  return { name, argv, env: ENV, ok: [2], output };
}

function psshArgv(fleet: Fleet, n: number, command: string): string[] {
  const ssh = [`-i ${fleet.shared.client.key}`, ...sshOptions(fleet)].join(' ');
  return [
    'parallel-ssh',
    '-p',
    String(n),
    '-h',
    fleet.psshHosts,
    '-l',
    fleet.shared.client.user,
    '-t',
    '120',
    '-x',
    ssh,
    command,
  ];
}

/** The SSH floor: one connection per host and a trivial command. */
export function floorSide(fleet: Fleet, n: number): Side {
  return { name: 'floor', argv: psshArgv(fleet, n, 'true'), env: ENV, ok: [0], output: '' };
}

/**
 * The floor plus the work: one connection per host running, in one shell, exactly the commands runner's
 * probes run there (hg status, hg identify, find, du, ps …), with no logic. What no SSH tool can go below.
 */
export function scriptSide(fleet: Fleet, n: number, variant: Variant): Side {
  const script = writeProbeScript(fleet.shared.root, fleet.hosts, variant);
  return { name: 'script', argv: psshArgv(fleet, n, `sh ${script}`), env: ENV, ok: [0], output: '' };
}

/**
 * ansible-playbook --check with an ansible.cfg of what a user tuned for speed would have: pipelining (no
 * module files copied to the hosts), ControlPersist (one connection per host for all tasks), no fact gathering.
 * The control masters outlive the run by design; `after` stops them, so every run starts from no connection.
 */
export function ansibleSide(fleet: Fleet, n: number, variant: Variant): Side {
  const dir = join(fleet.shared.root, `ansible-${variant}`);
  const controls = join(dir, 'cp');
  mkdirSync(controls, { recursive: true });
  const cfg = join(dir, 'ansible.cfg');
  writeFileSync(
    cfg,
    [
      '[defaults]',
      `forks = ${n}`,
      'host_key_checking = True',
      'gathering = explicit',
      'retry_files_enabled = False',
      'interpreter_python = /usr/bin/python3',
      `local_tmp = ${join(dir, 'tmp')}`,
      '[ssh_connection]',
      'pipelining = True',
      `control_path_dir = ${controls}`,
      `ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s ${sshOptions(fleet).join(' ')}`,
      '',
    ].join('\n'),
  );
  const output = join(dir, 'recap.txt');
  const argv = [
    'sh',
    '-c',
    'exec ansible-playbook "$@" >"$0"',
    output,
    '--check',
    '-f',
    String(n),
    '-i',
    fleet.ansibleInventory,
    ...(variant === 'no-tools' ? ['--skip-tags', 'tools'] : []),
    PLAYBOOK,
  ];
  return {
    name: 'ansible',
    argv,
    env: { ...ENV, ANSIBLE_CONFIG: cfg },
    ok: [0],
    output,
    after: () => exitMasters(controls),
  };
}

/** `ssh -O exit` on every control socket: the masters Ansible left running end now. */
async function exitMasters(dir: string): Promise<void> {
  const sockets = existsSync(dir) ? readdirSync(dir).map((s) => join(dir, s)) : [];
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise((resolve) => {
          spawn('ssh', ['-q', '-O', 'exit', '-o', `ControlPath=${s}`, 'bench'], { stdio: 'ignore' })
            .on('close', resolve)
            .on('error', resolve);
        }),
    ),
  );
}
