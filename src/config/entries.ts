import { checks } from '../checks/api.js';
import type { RunnerConfig } from './load.js';
import { remediations } from '../remediations/api.js';
import { ConfigError } from '../core/errors.js';
import type { CheckEntry } from '../core/run-check.js';

/** The configured checks, in config order, narrowed by `--only`; an id that is not configured is an error. */
export function entriesFor(config: RunnerConfig, only?: readonly string[]): CheckEntry[] {
  const configured = config.checks.map((c) => c.id);
  const unknown = (only ?? []).filter((id) => !configured.includes(id));
  if (unknown.length) {
    const known = configured.length ? configured.join(', ') : 'none';
    throw new ConfigError(
      `--only names checks not configured in ${config.file}: ${unknown.join(', ')} (configured: ${known})`,
    );
  }
  const wanted = only && only.length ? config.checks.filter((c) => only.includes(c.id)) : config.checks;
  return wanted.map(({ id, options }) => {
    const remediation = remediations.get(id);
    return { check: checks.get(id) as CheckEntry['check'], ...(remediation ? { remediation } : {}), options };
  });
}
