import { Command, CommanderError, Option } from 'commander';
import { setFlagsFromString } from 'node:v8';
import type { Io } from './core/io.js';
import { duration, wholeNumber } from './commands/options.js';
import { RunnerError, describeError } from './core/errors.js';
import { EXIT } from './core/outcome.js';
import { FORMATS, type Format } from './report/format.js';
import { printable } from './core/text.js';
import { VERSION } from './core/version.js';

// every command loads on first use: --help starts without zod, yaml or the checks, check without ssh2 or the daemon

/** A fresh commander program over library calls; `done` receives each command's exit code. */
export function createProgram(io: Io, done: (code: number) => void): Command {
  const program = new Command('runner')
    .description('keeps CI build workers clean between jobs: idempotent checks and fixes, locally or over SSH')
    .version(VERSION, '-V, --version', "print runner's version")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  for (const mode of ['check', 'apply'] as const) {
    const cmd = program
      .command(mode)
      .description(
        mode === 'check'
          ? 'probe only: report drift and the plan, change nothing'
          : 'probe, fix what drifted, probe again',
      )
      .option('-c, --config <file>', 'config file (default $RUNNER_CONFIG or /etc/runner/runner.yaml)')
      .option('--only <ids>', 'run only these checks (comma-separated)', splitList)
      .addOption(formatOption())
      .option('-o, --output <file>', 'write the report to this file instead of stdout')
      .option('--fail-on-drift', 'junit: report drift as a failure')
      .option('--textfile <file>', 'also write this run as a Prometheus textfile (atomically), for node_exporter')
      .option(
        '--defer-deletes',
        mode === 'check'
          ? 'plan as apply --defer-deletes would: pending deletions count as being freed'
          : 'purge, clobber, temp: rename to .deleteme and record, delete later (runner daemon, in the background)',
      )
      .action(async (opts) => done(await (await import('./commands/run.js')).runLocal(mode, opts, io)));
    if (mode === 'apply')
      cmd
        .option('--rebaseline', 'record baselines anew (processes) instead of comparing against them')
        .option(
          '--plan <file>',
          'run exactly the plans of this file (check --plan-out), or nothing if the host changed',
        )
        .option('--max-plan-age <duration>', 'refuse a plan older than this (default 1h)', (v) =>
          duration(v, '--max-plan-age'),
        );
    else cmd.option('--plan-out <file>', "also write the drifted checks' plans, fingerprinted, for apply --plan");
  }

  program
    .command('audit')
    .description('run the checks read-only on the hosts of an Ansible inventory, over SSH; changes nothing')
    .requiredOption('-i, --inventory <file>', 'Ansible INI or YAML inventory')
    .option('-l, --limit <pattern>', 'host pattern: a:b union, &g intersection, !g exclusion, globs, ~regex, @file')
    .option('-c, --config <file>', "one config for every host (default: each host's runner_config, read on each host)")
    .option('--only <ids>', 'run only these checks (comma-separated)', splitList)
    .option('--forks <n>', 'hosts audited at once', '50')
    .option('--timeout <seconds>', 'per-host deadline; checks not finished by then fail with "deadline"', '120')
    .option('--connect-timeout <seconds>', 'TCP connect, SSH handshake and authentication', '10')
    .option('-u, --user <name>', 'remote user when the inventory sets no ansible_user')
    .option('--private-key <file>', 'key file when the inventory sets no ansible_ssh_private_key_file')
    .option('-b, --become', 'run remote commands with sudo -n (as ansible_become)')
    .option('--known-hosts <file>', 'known_hosts file checked besides ~/.ssh/known_hosts; --accept-new records there')
    .option('--accept-new', 'accept and record the keys of hosts not yet in known_hosts (never a changed key)')
    .option('--passphrase-env <name>', 'environment variable holding the passphrase of encrypted keys')
    .option('--kex <algos>', 'SSH key exchange algorithms, comma-separated (e.g. curve25519-sha256)', splitList)
    .option('--stats <file>', 'write per-host SSH figures (connect ms, exec channels, SFTP requests) as JSON')
    .addOption(formatOption())
    .option('-o, --output <file>', 'write the report to this file instead of stdout')
    .option('--fail-on-drift', 'junit: report drift as a failure')
    .option('--diff <previous.json>', 'also report what changed since that audit (its --format json output)')
    .option('--plan-out <dir>', 'also write one plan file per drifted host, <host>.json, for runner apply --plan on it')
    .option('-v, --verbose', "human: every host's results and plans, not only the summary and the hosts with problems")
    .action(async (opts) => {
      lowYoungGeneration();
      done(await (await import('./commands/audit.js')).runAudit(opts, io));
    });

  program
    .command('inventory')
    .description('print an inventory resolved as ansible-inventory --list does (groups, hosts, vars)')
    .requiredOption('-i, --inventory <file>', 'Ansible INI or YAML inventory')
    .option('--list', 'print every host with its vars as JSON')
    .option('-l, --limit <pattern>', 'only the hosts this pattern selects')
    .action(async (opts) => done((await import('./commands/inventory.js')).listInventory(opts, io)));

  program
    .command('checks [id]')
    .description("list the checks, or describe one check's options")
    .action(async (id?: string) => done((await import('./commands/checks.js')).listChecks(id, io)));

  program
    .command('daemon')
    .description('the pre-job loop: pre-flight checks, the buildbot worker until it drains, post-flight checks, again')
    .option(
      '-c, --config <file>',
      'config file with a lifecycle: section (default $RUNNER_CONFIG or /etc/runner/runner.yaml)',
    )
    .option('-n, --iterations <n>', 'halt after this many worker sessions (overrides lifecycle.iterations)', (v) =>
      wholeNumber(v, '--iterations'),
    )
    .option('--once', 'run one iteration and exit with its exit code')
    .action(async (opts) => done(await (await import('./commands/daemon.js')).daemon(opts, io)));

  program
    .command('status')
    .description(
      "the daemon's state: since when, its iteration, each check's last outcome, the lock, what it does next",
    )
    .option(
      '-c, --config <file>',
      'config file with a lifecycle: section (default $RUNNER_CONFIG or /etc/runner/runner.yaml)',
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(['human', 'json']).default('human'))
    .action(async (opts) => done(await (await import('./commands/status.js')).status(opts, io)));

  program
    .command('disable')
    .description('hold the worker back: the daemon starts no worker until runner enable (or --for has passed)')
    .requiredOption('-r, --reason <text>', 'why, for whoever finds the machine disabled')
    .option('--for <duration>', 'lift the lock by itself after this long, e.g. 2h', (v) => duration(v, '--for'))
    .option(
      '-c, --config <file>',
      'config file naming lifecycle.lock (default $RUNNER_CONFIG or /etc/runner/runner.yaml)',
    )
    .option('--lock <file>', "the lock file itself, instead of the config's")
    .action(async (opts) => done(await (await import('./commands/lock.js')).disable(opts, io)));

  program
    .command('enable')
    .description('remove the disable lock')
    .option(
      '-c, --config <file>',
      'config file naming lifecycle.lock (default $RUNNER_CONFIG or /etc/runner/runner.yaml)',
    )
    .option('--lock <file>', "the lock file itself, instead of the config's")
    .action(async (opts) => done(await (await import('./commands/lock.js')).enable(opts, io)));

  const config = program.command('config').description('validate runner.yaml or print its JSON Schema');
  config
    .command('validate')
    .option('-c, --config <file>', 'config file (default $RUNNER_CONFIG or /etc/runner/runner.yaml)')
    .action(async (opts: { config?: string }) =>
      done(await (await import('./commands/config.js')).validateConfig(opts.config, io)),
    );
  config.command('schema').action(async () => done((await import('./commands/config.js')).printSchema(io)));
  config
    .command('init')
    .description(
      'write a commented starting runner.yaml for this machine (its build roots, build user, worker basedir)',
    )
    .option('-o, --output <file>', 'write it here (never overwrites); default stdout')
    .option('--root <dir>', 'look for build roots and buildbot.tac under this dir instead of /')
    .action(async (opts: { output?: string; root?: string }) =>
      done(await (await import('./commands/config-init.js')).initConfig(opts, io)),
    );
  config
    .command('help [section]')
    .description(
      "every field of a check's options (runner config help tools) or of lifecycle:, with type, default, example",
    )
    .action(async (section?: string) => done(await (await import('./commands/config.js')).configHelp(section, io)));
  return program;
}

/**
 * V8 reads this whenever it would grow the young generation: it stays at its first 2 MB instead of growing to
 * 32 MB. Set before the audit loads: its garbage (each host's outputs, parsed and dropped) is short-lived, and
 * at 50 hosts its peak RSS falls by a third for no measurable CPU (bench/audit.ts). Local runs keep the default.
 */
function lowYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  // and the old generation grows by a fifth of what a full GC left live, not by V8's factor of 1.1–4
  setFlagsFromString('--heap-growing-percent=20');
}

function formatOption(): Option {
  return new Option('-f, --format <format>', 'report format').choices(FORMATS as Format[]).default('human');
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Parses argv and runs one command; every error becomes a message on stderr and exit code 1 (nothing ran), or
 * under --format nagios `RUNNER UNKNOWN - …` on stdout and exit 3, as the plugin guidelines want.
 */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let code = 0;
  const program = createProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    const parsing = err instanceof CommanderError;
    if (parsing && err.exitCode === 0) return EXIT.ok;
    const message = parsing || err instanceof RunnerError ? err.message : describeError(err);
    const plugin = await import('./commands/plugin.js');
    if (plugin.wantsNagios(argv)) return plugin.nagiosRefusal(message, io);
    // commander has told its own errors on stderr already
    if (!parsing) io.stderr.write(`runner: ${message.split('\n').map(printable).join('\n')}\n`);
    return EXIT.nothingRan;
  }
}
