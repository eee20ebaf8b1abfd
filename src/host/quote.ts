/** The one place argv becomes a remote shell command line (POSIX sh quoting). */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument, quoted for sh: single quotes, with each `'` written as `'\''`. Newlines stay literal. */
export function quoteArg(arg: string): string {
  if (arg.includes('\0'))
    throw new Error(`cannot pass an argument containing a NUL byte to a remote command: ${JSON.stringify(arg)}`);
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A whole argv as one command line; each element reaches the remote program as exactly one argument. */
export function commandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(quoteArg).join(' ');
}

/** `sh -c SCRIPT sh ARGS…`: a fixed script that takes untrusted values only as positional parameters. */
export function scriptLine(script: string, args: readonly string[]): string {
  return commandLine(['sh', '-c', script, 'sh', ...args]);
}
