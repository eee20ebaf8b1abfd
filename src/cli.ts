import { Command, CommanderError, Option } from 'commander';
import { listChecks } from './commands/checks.js';
import { printSchema, validateConfig } from './commands/config.js';
import type { Io } from './commands/io.js';
import { runLocal } from './commands/run.js';
import { RunnerError, describeError } from './core/errors.js';
import { FORMATS, type Format } from './report/index.js';

/** A fresh commander program over library calls; `done` receives each command's exit code. */
export function createProgram(io: Io, done: (code: number) => void): Command {
  const program = new Command('runner')
    .description('keeps CI build workers clean between jobs: idempotent checks and fixes, locally or over SSH')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  for (const mode of ['check', 'apply'] as const) {
    const cmd = program
      .command(mode)
      .description(mode === 'check' ? 'probe only: report drift and the plan, change nothing' : 'probe, fix what drifted, probe again')
      .option('-c, --config <file>', 'config file (default $RUNNER_CONFIG or /etc/runner/runner.yaml)')
      .option('--only <ids>', 'run only these checks (comma-separated)', splitList)
      .addOption(formatOption())
      .option('-o, --output <file>', 'write the report to this file instead of stdout')
      .option('--fail-on-drift', 'junit: report drift as a failure')
      .action(async (opts) => done(await runLocal(mode, opts, io)));
    if (mode === 'apply') cmd.option('--rebaseline', 'record baselines anew (processes) instead of comparing against them');
  }

  program
    .command('checks [id]')
    .description('list the checks, or describe one check\'s options')
    .action((id?: string) => done(listChecks(id, io)));

  const config = program.command('config').description('validate runner.yaml or print its JSON Schema');
  config
    .command('validate')
    .option('-c, --config <file>', 'config file (default $RUNNER_CONFIG or /etc/runner/runner.yaml)')
    .action(async (opts: { config?: string }) => done(await validateConfig(opts.config, io)));
  config.command('schema').action(() => done(printSchema(io)));
  return program;
}

function formatOption(): Option {
  return new Option('-f, --format <format>', 'report format').choices(FORMATS as Format[]).default('human');
}

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Parses argv and runs one command; every error becomes a message on stderr and exit code 1. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let code = 0;
  const program = createProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    io.stderr.write(`runner: ${err instanceof RunnerError ? err.message : describeError(err)}\n`);
    return 1;
  }
}
