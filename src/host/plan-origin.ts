import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ConfigError, RunnerError } from '../core/errors.js';
import type { PlanOrigin } from '../core/plan-file.js';
import type { ReadHost } from '../core/types.js';
import { VERSION } from '../core/version.js';
import { LOCAL_MAX_BYTES } from './local-files.js';

/** This host, this runner and this config, as a plan file records them and `apply --plan` compares them. */
export async function planOrigin(host: ReadHost, configFile: string): Promise<PlanOrigin> {
  const [machineId, configHash] = await Promise.all([readMachineId(host), sha256OfFile(configFile)]);
  return { runner: VERSION, machineId, hostname: hostname(), configHash };
}

/**
 * A host of an audit, read over SSH: its machine id and hostname, and the sha256 of the config text the audit
 * read (the host's runner_config, or --config), which must be the bytes `apply --plan` on the host hashes.
 */
export async function remoteOrigin(host: ReadHost, configText: string): Promise<PlanOrigin> {
  const [machineId, name] = await Promise.all([readMachineId(host), host.readFile('/etc/hostname', { maxBytes: 256 })]);
  const configHash = createHash('sha256').update(configText, 'utf8').digest('hex');
  return { runner: VERSION, machineId, hostname: name?.trim() || host.name, configHash };
}

async function readMachineId(host: ReadHost): Promise<string> {
  const text = await host.readFile('/etc/machine-id', { maxBytes: 256 });
  const id = text?.trim() ?? '';
  if (!/^[0-9a-f]{32}$/.test(id))
    throw new RunnerError(
      `/etc/machine-id ${text === null ? 'is missing' : 'holds no machine id'}: plans name their host by it`,
    );
  return id;
}

/** sha256 of the file's bytes (at most LOCAL_MAX_BYTES), in hex. */
async function sha256OfFile(path: string): Promise<string> {
  const handle = await open(path, 'r').catch((err: Error) => {
    throw new ConfigError(`config ${path}: cannot read it: ${err.message}`);
  });
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size > LOCAL_MAX_BYTES)
      throw new ConfigError(`config ${path}: not a regular file of at most ${LOCAL_MAX_BYTES} bytes`);
    const bytes = Buffer.alloc(st.size);
    const { bytesRead } = await handle.read(bytes, 0, st.size, 0);
    return createHash('sha256').update(bytes.subarray(0, bytesRead)).digest('hex');
  } finally {
    await handle.close();
  }
}
