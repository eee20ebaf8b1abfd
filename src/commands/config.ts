import { configJsonSchema, configPath, loadConfig } from '../config/load.js';
import type { Io } from '../core/io.js';

export async function validateConfig(file: string | undefined, io: Io): Promise<number> {
  const config = await loadConfig(configPath(file, io.env));
  const ids = config.checks.map((c) => c.id);
  io.stdout.write(`${config.file}: ok (${ids.length ? `${ids.length} checks: ${ids.join(', ')}` : 'no checks'})\n`);
  return 0;
}

export function printSchema(io: Io): number {
  io.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
}

/** `runner config help [SECTION]`: a check's options, or `lifecycle:`'s, every nested field with type, default, example. */
export async function configHelp(section: string | undefined, io: Io): Promise<number> {
  const { checks } = await import('../checks/api.js');
  const { inputSchema, listChecks } = await import('./checks.js');
  if (section === undefined) {
    io.stdout.write(
      `runner.yaml has two sections: checks (a list, each item one check: ${[...checks.keys()].join(', ')}) and lifecycle (runner daemon).\n` +
        "runner config help ID: one check's options; runner config help lifecycle: the daemon's; runner config init: a starting config.\n",
    );
    return 0;
  }
  if (section !== 'lifecycle') return listChecks(section, io);
  const { LifecycleOptions } = await import('../config/lifecycle.js');
  const { renderCheckOptions } = await import('../report/check-help.js');
  const summary = 'how runner daemon runs the buildbot worker between pre-flight and post-flight checks';
  io.stdout.write(renderCheckOptions('lifecycle', summary, inputSchema(LifecycleOptions)));
  return 0;
}
