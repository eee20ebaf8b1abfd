import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';

/** A server the test started: stopped by its pid (afterAll), with its output kept for failure messages. */
export interface Server {
  url: string;
  proc: ChildProcess;
  output(): string;
}

/** The binary on PATH, or an error saying which package to install: a missing component fails, never skips. */
function binary(name: string, pkg: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error(`${name} is not installed: apt-get install ${pkg} (listed in .ci/run)`);
  return found;
}

function start(argv: string[], url: string): Server {
  const proc = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return { url, proc, output: () => out };
}

/** node_exporter on 127.0.0.1 with the textfile collector alone, reading `textDir`. */
export async function startNodeExporter(textDir: string): Promise<Server> {
  const port = await freePort();
  const bin = binary('prometheus-node-exporter', 'prometheus-node-exporter');
  const argv = [bin, `--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults'];
  return start(
    [...argv, '--collector.textfile', `--collector.textfile.directory=${textDir}`],
    `http://127.0.0.1:${port}`,
  );
}

/** Prometheus on 127.0.0.1 scraping `target` (job "node") every second, its TSDB in `dir`, with `rules` loaded. */
export async function startPrometheus(dir: string, target: string, rules: string[] = []): Promise<Server> {
  const port = await freePort();
  mkdirSync(join(dir, 'tsdb'), { recursive: true });
  const config = join(dir, 'prometheus.yml');
  const job = { job_name: 'node', static_configs: [{ targets: [target.replace(/^http:\/\//, '')] }] };
  const cfg = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: rules,
    scrape_configs: [job],
  };
  writeFileSync(config, JSON.stringify(cfg)); // JSON is YAML
  const bin = binary('prometheus', 'prometheus');
  const argv = [bin, `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`];
  return start([...argv, `--web.listen-address=127.0.0.1:${port}`], `http://127.0.0.1:${port}`);
}

export function stop(s: Server | undefined): Promise<void> {
  if (!s || s.proc.exitCode !== null || s.proc.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => s.proc.on('exit', () => resolve()));
  s.proc.kill('SIGTERM');
  return exited;
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query through the HTTP API; an error status is thrown with Prometheus's own words. */
export async function query(prom: Server, expr: string): Promise<Sample[]> {
  const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
  return body.data?.result ?? [];
}

/** Polls `expr` until it returns a sample (bounded); the error names the query and what the servers said. */
export async function waitForSample(prom: Server, expr: string, timeoutMs = 60_000): Promise<Sample[]> {
  const until = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    // refused while Prometheus starts: tried again
    const found = await query(prom, expr).catch((err: Error) => ((last = err.message), []));
    if (found.length) return found;
    if (prom.proc.exitCode !== null || Date.now() > until)
      throw new Error(`no sample for ${expr} within ${timeoutMs} ms (${last}):\n${prom.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
