import * as z from 'zod';
import { checks as registry } from '../checks/api.js';
import { ConfigError } from '../core/errors.js';
import { LifecycleOptions, type Lifecycle } from './lifecycle.js';
import { SourceMap, formatPath } from './errors.js';
import { ownFilesInBuildTrees } from './own-files.js';
import { readText } from '../host/local-files.js';

export const DEFAULT_CONFIG = '/etc/runner/runner.yaml';

/** One entry of `checks:` after validation. */
export interface ConfiguredCheck {
  id: string;
  options: unknown;
}

export interface RunnerConfig {
  file: string;
  checks: ConfiguredCheck[];
  /** how `runner daemon` runs the worker; absent when the file has no lifecycle: section */
  lifecycle?: Lifecycle;
}

const Top = z
  .object({
    checks: z.array(z.unknown()).describe('the checks to run, in this order'),
    lifecycle: LifecycleOptions.optional().describe('runner daemon: the worker, its drain, retries and halt'),
  })
  .strict();

/** --config, then $RUNNER_CONFIG, then /etc/runner/runner.yaml. */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.RUNNER_CONFIG ?? DEFAULT_CONFIG;
}

export async function loadConfig(file: string): Promise<RunnerConfig> {
  return parseConfig(await readText(file, `config ${file}`), file);
}

/** Validates a whole runner.yaml; throws one ConfigError listing every problem with file, line and path. */
export function parseConfig(text: string, file: string): RunnerConfig {
  const src = new SourceMap(file, text);
  const syntax = src.syntaxErrors();
  if (syntax.length) throw problems(file, syntax);
  const top = Top.safeParse(src.doc.toJS() ?? {});
  if (!top.success) throw problems(file, src.describeIssues(top.error.issues));
  const found: string[] = [];
  const configured: ConfiguredCheck[] = [];
  for (const [i, item] of top.data.checks.entries()) {
    const entry = parseEntry(src, item, i, configured);
    if (typeof entry === 'string') found.push(entry);
    else if ('problems' in entry) found.push(...entry.problems);
    else configured.push(entry);
  }
  const lifecycle = top.data.lifecycle;
  if (lifecycle) found.push(...unknownPhaseChecks(src, lifecycle, configured));
  if (configured.length === top.data.checks.length) found.push(...ownFilesInBuildTrees(src, configured, lifecycle));
  if (found.length) throw problems(file, found);
  return lifecycle ? { file, checks: configured, lifecycle } : { file, checks: configured };
}

/** lifecycle.preflight / postflight may only name checks listed under checks:. */
function unknownPhaseChecks(src: SourceMap, lc: Lifecycle, configured: readonly ConfiguredCheck[]): string[] {
  const ids = configured.map((c) => c.id);
  const found: string[] = [];
  for (const phase of ['preflight', 'postflight'] as const) {
    const listed = lc[phase];
    if (listed === 'all') continue;
    for (const [i, id] of listed.entries()) {
      if (ids.includes(id)) continue;
      const path = ['lifecycle', phase, i];
      found.push(
        `${src.where(path)}: ${formatPath(path)}: '${id}' is not one of the configured checks (${ids.join(', ') || 'none'})`,
      );
    }
  }
  return found;
}

function parseEntry(
  src: SourceMap,
  item: unknown,
  i: number,
  seen: readonly ConfiguredCheck[],
): string | { problems: string[] } | ConfiguredCheck {
  const at = src.where(['checks', i]);
  if (item === null || typeof item !== 'object' || Array.isArray(item) || Object.keys(item).length !== 1) {
    return `${at}: checks[${i}]: expected one check id mapped to its options, like "- purge: {dirs: [/builds]}"`;
  }
  const [id, raw] = Object.entries(item)[0] as [string, unknown];
  const check = registry.get(id);
  if (!check) return `${at}: checks[${i}]: unknown check '${id}' (known: ${[...registry.keys()].join(', ')})`;
  if (seen.some((c) => c.id === id)) return `${at}: checks[${i}]: '${id}' is listed twice; list each check once`;
  const parsed = check.options.safeParse(raw ?? {});
  if (!parsed.success) return { problems: src.describeIssues(parsed.error.issues, ['checks', i, id]) };
  return { id, options: parsed.data };
}

function problems(file: string, list: string[]): ConfigError {
  const head = list.length === 1 ? `invalid config ${file}` : `invalid config ${file} (${list.length} problems)`;
  return new ConfigError(`${head}:\n  ${list.join('\n  ')}`, list);
}

/** JSON Schema of runner.yaml, generated from the same zod schemas that validate it. */
export function configJsonSchema(): unknown {
  const entries = [...registry.values()].map((c) =>
    z
      .object({ [c.id]: c.options })
      .strict()
      .describe(c.summary),
  );
  const schema = Top.extend({ checks: z.array(z.union(entries)).describe('the checks to run, in this order') });
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}
