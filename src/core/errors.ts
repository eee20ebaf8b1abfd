import type { HostFailure, HostKeyReport, UnreachableReason } from './types.js';

/** Base of every error runner raises on purpose; `message` says what we were doing. */
export class RunnerError extends Error {
  override name = 'RunnerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A bad config, inventory or argument: nothing runs. */
export class ConfigError extends RunnerError {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
  }
}

export type { UnreachableReason };

/** "bld-01 unreachable: timeout: …": how an unreachable host is told, in errors and reports alike. */
export function unreachableMessage(host: string, reason: UnreachableReason, detail: string): string {
  return `${host} unreachable: ${reason}: ${detail}`;
}

/** The host cannot be reached: its remaining checks are not run. */
export class HostUnreachableError extends RunnerError {
  override name = 'HostUnreachableError';
  constructor(
    readonly host: string,
    readonly reason: UnreachableReason,
    readonly detail: string,
    options?: { cause?: unknown; hostKey?: HostKeyReport },
  ) {
    super(unreachableMessage(host, reason, detail), options);
    this.hostKey = options?.hostKey;
  }

  readonly hostKey: HostKeyReport | undefined;

  /** The host's failure as data, for its report. */
  get failure(): HostFailure {
    return {
      stage: 'connect',
      reason: this.reason,
      detail: this.detail,
      ...(this.hostKey ? { hostKey: this.hostKey } : {}),
    };
  }
}

/** A command ran and failed in a way the caller cannot work around. */
export class CommandError extends RunnerError {
  override name = 'CommandError';
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
    doing: string,
  ) {
    super(`${doing}: '${argv.join(' ')}' ${describeExit(exitCode)}${stderr.trim() ? `: ${lastLines(stderr)}` : ''}`);
  }
}

function describeExit(code: number | undefined): string {
  return code === undefined ? 'was killed or could not start' : `exited ${code}`;
}

function lastLines(text: string, max = 3): string {
  return text.trim().split('\n').slice(-max).join(' / ');
}

/** The message of anything thrown, with its causes. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error && !err.message.includes(err.cause.message) ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
