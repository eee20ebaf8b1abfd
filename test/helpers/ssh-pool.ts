import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { makeWorker, type Worker } from '../../fixtures/worker.js';
import { freePort } from './ports.js';
import { keygen, sshClient, startSshd, type Sshd } from './sshd.js';

/** A healthy pool host: a real sshd and a real worker tree with its runner.yaml. */
export interface PoolHost {
  name: string;
  sshd: Sshd;
  worker: Worker;
  config: string;
}

/** purge with max_age below the youngest build dir (2h) selects every unprotected dir: a plan that does not depend on free space. */
export function poolConfig(w: Worker, purgeFirst = false, activeFile?: string): string {
  const clobber = `  - clobber: { dir: ${JSON.stringify(w.base)}, feed: ${JSON.stringify(w.feed)}, host: ${w.host} }`;
  const active = activeFile ? `, active_file: ${JSON.stringify(activeFile)}` : '';
  const purge = `  - purge: { dirs: [${JSON.stringify(w.base)}], max_age: 90m, keep: [info, "rel-*:10d"], min_age: 1h${active} }`;
  return ['checks:', ...(purgeFirst ? [purge, clobber] : [clobber, purge]), ''].join('\n');
}

/** Starts `count` healthy hosts on 127.0.0.(base+i), each with its own host key, worker tree and config. */
export async function startPool(root: string, count: number, base: number, net = '127.0.0') {
  chmodSync(root, 0o755);
  const client = sshClient(join(root, 'client'));
  const hosts: PoolHost[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = `bld-${String(i + 1).padStart(2, '0')}`;
      const dir = join(root, name);
      const worker = makeWorker(dir, { dirs: 14, host: name, maxDirBytes: 200_000 });
      const config = join(dir, 'runner.yaml');
      writeFileSync(config, poolConfig(worker));
      const sshd = await startSshd({
        dir: join(dir, 'sshd'),
        address: `${net}.${base + i}`,
        authorizedKeys: client.authorizedKeys,
      });
      hosts[i] = { name, sshd, worker, config };
    }),
  );
  const stop = () => Promise.all(hosts.map((h) => h?.sshd.stop()));
  return { client, hosts, stop };
}

/** A TCP server that accepts and never speaks: a host that must time out. */
export async function startTarpit(address: string): Promise<{ port: number; close: () => void }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  const port = await listen(server, address);
  return { port, close: () => (sockets.forEach((s) => s.destroy()), server.close()) };
}

/** A TCP proxy in front of a real sshd; `cut()` drops every connection through it (a host lost mid-audit). */
export async function startProxy(address: string, to: { address: string; port: number }) {
  const pairs: Socket[] = [];
  const server = createServer((inbound) => {
    const outbound = connect(to.port, to.address);
    pairs.push(inbound, outbound);
    inbound.pipe(outbound).pipe(inbound);
    for (const s of [inbound, outbound]) s.on('error', () => undefined);
  });
  const port = await listen(server, address);
  return {
    port,
    cut: () => pairs.forEach((s) => s.destroy()),
    close: () => (pairs.forEach((s) => s.destroy()), server.close()),
  };
}

async function listen(server: Server, address: string): Promise<number> {
  const port = await freePort(address);
  await new Promise<void>((resolve) => server.listen(port, address, resolve));
  return port;
}

/** A second key that the pool does not accept. */
export function strangerKey(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'stranger_key');
  keygen(key, 'rtest-stranger');
  return key;
}

/** Waits until the stalling command ran on the remote side (it hangs there, mid-probe), then drops its connection. */
export async function dropWhenStarted(marker: string, proxy: { cut(): void }): Promise<void> {
  for (let i = 0; i < 2400; i++) {
    if (existsSync(marker)) {
      proxy.cut();
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the stalling command never ran (no ${marker})`);
}

/**
 * A dir holding a `realpath` that marks that it ran, then stalls for `seconds`: on a host whose PATH starts
 * with it, purge's probe (which resolves the active paths with realpath) hangs mid-audit, as a slow disk would.
 */
export function stallingBin(dir: string, marker: string, seconds = 60): string {
  mkdirSync(dir, { recursive: true });
  // the SSH login user writes the marker
  mkdirSync(dirname(marker), { recursive: true });
  chmodSync(dirname(marker), 0o1777);
  const file = join(dir, 'realpath');
  writeFileSync(file, `#!/bin/sh\n: > ${JSON.stringify(marker)}\nexec timeout ${seconds} sleep ${seconds}\n`, {
    mode: 0o755,
  });
  return dir;
}
