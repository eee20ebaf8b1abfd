import { homedir, userInfo } from 'node:os';
import { DEFAULT_CONFIG } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import { exists } from '../host/local-files.js';
import { expandHome, lookupSshConfig, type parseSshConfig } from '../host/ssh/config.js';
import type { SshTarget } from '../host/ssh/connect.js';
import type { Vars } from '../inventory/model.js';
import { plainValue } from '../inventory/yaml-values.js';

/** One host of the audit: how to reach it and where its checks come from. */
export interface AuditTarget {
  ssh: SshTarget;
  /** runner.yaml on the host (runner_config), read on the host unless --config is given */
  configPath: string;
  /** runner_checks: per-check option overrides, validated per host */
  overrides?: unknown;
  /** ansible_ssh_timeout, in ms, when set */
  connectTimeoutMs?: number;
}

export interface TargetDefaults {
  user?: string;
  privateKey?: string;
  become?: boolean;
}

const PASSWORD_VARS = [
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_ssh_password',
  'ansible_become_password',
  'ansible_become_pass',
];
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((k) => `${homedir()}/.ssh/${k}`);

/** Ansible's truthiness for strings from INI files: yes/on/true/1 (any case). */
export function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  return ['y', 'yes', 'on', '1', 'true', 't'].includes(String(value).toLowerCase());
}

function first(vars: Vars, ...names: string[]): unknown {
  for (const n of names) if (vars[n] !== undefined && vars[n] !== null) return vars[n];
  return undefined;
}

/** Inventory vars win, then --user/--private-key, then ~/.ssh/config, then OpenSSH's defaults. */
export function targetFor(
  name: string,
  vars: Vars,
  defaults: TargetDefaults,
  sshConfig: ReturnType<typeof parseSshConfig>,
): AuditTarget {
  const secret = PASSWORD_VARS.find((v) => vars[v] !== undefined);
  if (secret)
    throw new ConfigError(
      `host ${name}: ${secret} is set, but runner authenticates with keys only (ssh-agent or key files); remove the password`,
    );
  const connection = first(vars, 'ansible_connection');
  if (connection !== undefined && !['ssh', 'smart', 'paramiko'].includes(String(connection))) {
    throw new ConfigError(
      `host ${name}: ansible_connection=${String(connection)} is not supported: runner audits over SSH`,
    );
  }
  const asked = String(first(vars, 'ansible_host', 'ansible_ssh_host') ?? name);
  const cfg = lookupSshConfig(sshConfig, asked);
  const port = Number(first(vars, 'ansible_port', 'ansible_ssh_port') ?? cfg.port ?? 22);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new ConfigError(`host ${name}: ansible_port ${String(port)} is not a port number`);
  const keyVar = first(vars, 'ansible_ssh_private_key_file', 'ansible_private_key_file') ?? defaults.privateKey;
  const explicit = keyVar !== undefined;
  const identityFiles = explicit
    ? [expandHome(String(keyVar))]
    : cfg.identityFiles.length
      ? cfg.identityFiles
      : DEFAULT_KEYS.filter(exists);
  const timeout = first(vars, 'ansible_ssh_timeout', 'ansible_timeout');
  if (timeout !== undefined && !(Number.isInteger(Number(timeout)) && Number(timeout) > 0))
    throw new ConfigError(`host ${name}: ansible_ssh_timeout ${String(timeout)} is not a whole number of seconds`);
  return {
    ssh: {
      name,
      address: cfg.hostName ?? asked,
      port,
      user: String(first(vars, 'ansible_user', 'ansible_ssh_user') ?? defaults.user ?? cfg.user ?? userInfo().username),
      identityFiles,
      explicitIdentity: explicit,
      become: toBool(first(vars, 'ansible_become') ?? defaults.become ?? false),
    },
    configPath: String(first(vars, 'runner_config') ?? DEFAULT_CONFIG),
    ...(vars.runner_checks !== undefined ? { overrides: plainValue(vars.runner_checks) } : {}),
    ...(timeout !== undefined ? { connectTimeoutMs: Number(timeout) * 1000 } : {}),
  };
}
