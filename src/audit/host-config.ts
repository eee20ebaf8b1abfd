import { parse } from 'yaml';
import { checks as registry } from '../checks/api.js';
import { formatPath } from '../config/errors.js';
import { parseConfig, type RunnerConfig } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import type { Host } from '../core/types.js';
import { originOf } from '../inventory/origins.js';

/** The text and label of a config: one file for all hosts (--config), or each host's own, read on the host through its remote shell. */
export interface ConfigSource {
  text: string;
  label: string;
}

/** Reads the host's runner.yaml; a missing file is a clear per-host failure. */
export async function readHostConfig(host: Host, path: string): Promise<ConfigSource> {
  const label = `${host.name}:${path}`;
  const text = await host.readFile(path);
  if (text === null) throw new ConfigError(`config ${label} does not exist (set runner_config, or give --config)`);
  return { text, label };
}

/**
 * Validates the config, then applies `runner_checks` (a mapping of check id → options) over the options of
 * checks it configures; each override is validated by that check's schema, and errors name the host var.
 */
export function configWithOverrides(source: ConfigSource, overrides: unknown, host: string): RunnerConfig {
  const config = parseOnce(source);
  if (overrides === undefined) return config;
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new ConfigError(`host ${host}: runner_checks must map check ids to options, like {purge: {free: 30GB}}`);
  }
  const raw = rawOptions(source.text);
  // given in a group_vars/host_vars file: each problem names that file and line, not the runner.yaml
  const origin = originOf(overrides);
  const at = (path: readonly PropertyKey[]) => (origin ? `${origin(path)}: ` : '');
  const problems: string[] = [];
  const result = config.checks.map((c) => ({ ...c }));
  for (const [id, extra] of Object.entries(overrides)) {
    const entry = result.find((c) => c.id === id);
    if (!entry) {
      problems.push(
        `${at([id])}runner_checks.${id}: '${id}' is not configured in ${source.label} (configured: ${config.checks.map((c) => c.id).join(', ') || 'none'})`,
      );
      continue;
    }
    const parsed = registry.get(id)?.options.safeParse({ ...raw.get(id), ...(extra as object) });
    if (parsed?.success) entry.options = parsed.data;
    else
      for (const issue of parsed?.error.issues ?? [])
        problems.push(`${at([id, ...issue.path])}runner_checks.${formatPath([id, ...issue.path])}: ${issue.message}`);
  }
  if (problems.length)
    throw new ConfigError(
      `host ${host}: invalid runner_checks${origin ? ` in ${origin([]).replace(/:\d+$/, '')}` : ''} over ${source.label}:\n  ${problems.join('\n  ')}`,
      problems,
    );
  return { ...config, checks: result };
}

/** The last few configs validated, by text: a pool sharing one runner.yaml (or --config) parses it once a run. */
const recent = new Map<string, Omit<RunnerConfig, 'file'>>();
const RECENT = 8;

/** parseConfig, answered from `recent` for a text seen before (errors are not kept: each host names its own file). */
function parseOnce(source: ConfigSource): RunnerConfig {
  const hit = recent.get(source.text);
  if (hit) return { ...hit, file: source.label };
  const config = parseConfig(source.text, source.label);
  const { file: _file, ...rest } = config;
  if (recent.size >= RECENT) recent.delete(recent.keys().next().value as string);
  recent.set(source.text, rest);
  return config;
}

function rawOptions(text: string): Map<string, object> {
  const doc = parse(text) as { checks: Record<string, object | null>[] };
  return new Map(
    doc.checks.map((item) => {
      const [id, options] = Object.entries(item)[0] as [string, object | null];
      return [id, options ?? {}];
    }),
  );
}
