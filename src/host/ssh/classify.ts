import { HostUnreachableError, type UnreachableReason } from '../../core/errors.js';
import type { HostKeyReport } from '../../core/types.js';
import type { HostKeyVerdict } from './known-hosts.js';

/** What the connection knew when it failed. */
export interface FailureContext {
  host: string;
  /** `ready` was reached: a later loss of the connection is `dropped` */
  ready: boolean;
  /** the host key check's verdict, when the handshake got that far */
  hostKey?: HostKeyVerdict;
  /** the presented key and the known_hosts lines it disagrees with, when the verdict is not `known` */
  hostKeyReport?: HostKeyReport;
  connectTimeoutMs: number;
}

const SOCKET_CODES: Record<string, UnreachableReason> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'timeout',
  ENETUNREACH: 'timeout',
};

/** The one place SSH failures become reasons: an error before `ready`, or one carrying ssh2's `level`. */
export function classify(err: unknown, ctx: FailureContext): HostUnreachableError {
  if (err instanceof HostUnreachableError) return err;
  const e = err as (Error & { level?: string; code?: string }) | undefined;
  const message = e?.message ?? String(err);
  const [reason, detail] = reasonOf(e, ctx);
  const hostKey = reason.startsWith('hostkey-') ? ctx.hostKeyReport : undefined;
  return new HostUnreachableError(ctx.host, reason, detail ?? message, { cause: err, ...(hostKey ? { hostKey } : {}) });
}

function reasonOf(
  e: (Error & { level?: string; code?: string }) | undefined,
  ctx: FailureContext,
): [UnreachableReason, string?] {
  const k = ctx.hostKeyReport;
  const key = k ? `host key ${k.type} ${k.fingerprint}` : 'host key';
  const lines = k?.recorded.map((r) => `${r.file}:${r.line} ${r.type} ${r.fingerprint}`).join(', ') ?? '';
  if (ctx.hostKey === 'unknown')
    return ['hostkey-unknown', `${key} not in known_hosts (--accept-new records new keys)`];
  if (ctx.hostKey === 'changed')
    return [
      'hostkey-changed',
      `${key} differs from known_hosts (${lines}): possible man-in-the-middle, or a reinstalled host`,
    ];
  if (ctx.hostKey === 'revoked') return ['hostkey-changed', `${key} is marked @revoked in known_hosts (${lines})`];
  if (ctx.ready) return ['dropped', `connection lost: ${e?.message ?? 'closed'}`];
  const code = e?.code ?? '';
  if (e?.level === 'client-dns' || SOCKET_CODES[code] === 'dns') return ['dns'];
  if (SOCKET_CODES[code]) return [SOCKET_CODES[code] as UnreachableReason];
  if (e?.level === 'client-timeout') return ['timeout', `no SSH handshake within ${ctx.connectTimeoutMs / 1000}s`];
  if (e?.level === 'client-authentication') return ['auth', e.message];
  if (code === 'ECONNRESET' || code === 'EPIPE' || e?.level === 'protocol')
    return ['dropped', `connection closed during the handshake: ${e?.message}`];
  return ['error'];
}
