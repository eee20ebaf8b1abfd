import { clobberFingerprint } from './fingerprint.js';
import { join } from 'node:path/posix';
import type { PendingEntry } from '../../core/pending.js';
import type { Check, Context, Finding, ReadHost } from '../../core/types.js';
import { kept, parseFeed, parseMarker, requestsFor, type Request } from './parse.js';
import { ClobberOptions, MARKER, type ClobberAction, type ClobberPlan } from './schema.js';
import { allInOrder } from '../../core/all.js';
import { count } from '../../core/text.js';
import { describeError } from '../../core/errors.js';

/** A feed for thousands of workers is a few MB; past this it is refused, never held in memory. */
export const FEED_MAX_BYTES = 32 * 1024 * 1024;

export const clobber: Check<ClobberOptions, ClobberPlan> = {
  id: 'clobber',
  summary: 'empties build dirs that the clobber feed asks to clobber since their last-clobber marker',
  options: ClobberOptions,
  fingerprint: clobberFingerprint,
  async probe(host, opts, ctx): Promise<Finding<ClobberPlan>> {
    const [st, text, name] = await allInOrder([
      host.lstat(opts.dir),
      readFeed(host, opts, ctx),
      opts.host ?? shortHostname(host),
    ]);
    const absent = baseDirProblem(opts, st?.type);
    if (absent) return absent;
    const { requests, rejected } = requestsFor(parseFeed(text, opts.feed), name);
    const nowS = Math.floor(ctx.now().getTime() / 1000);
    const warnings = [...rejected];
    const pending = ctx.pending?.entries() ?? [];
    const found = await allInOrder(requests.map((req) => actionFor(host, opts, req, nowS, warnings, pending)));
    const actions = found.filter((a): a is ClobberAction => a !== undefined);
    const extra = warnings.length ? { warnings } : {};
    if (actions.length === 0)
      return { state: 'ok', summary: `no clobber requests pending for ${name} under ${opts.dir}`, ...extra };
    return { state: 'drift', summary: describeActions(actions), plan: { actions }, ...extra };
  },
  explain(plan) {
    return plan.actions.map((a) => {
      const when = new Date(a.requestedAt * 1000).toISOString().slice(0, 16).replace('T', ' ');
      if (a.kind === 'record') return `- ${a.path}: no marker yet; record ${a.requestedAt} (${when}), delete nothing`;
      const list =
        a.delete.length > 6
          ? `${a.delete.slice(0, 6).join(', ')}, … (${a.delete.length})`
          : a.delete.join(', ') || 'nothing';
      return `- ${a.path}: requested ${when}${a.who ? ` by ${a.who}` : ''}; delete ${list}`;
    });
  },
};

/** A build root that is not there is `failed` naming it (a typo in `dir`), unless `missing_ok` says it may be absent. */
function baseDirProblem(opts: ClobberOptions, type: string | undefined): Finding<ClobberPlan> | undefined {
  if (type === 'dir') return undefined;
  if (type === undefined && opts.missing_ok)
    return { state: 'ok', summary: `${opts.dir} does not exist (missing_ok): nothing to clobber there` };
  const what = type === undefined ? 'does not exist' : `is a ${type}, not a directory`;
  const hint = type === undefined ? ' (clobber.dir; missing_ok: true if that is expected)' : '';
  return { state: 'failed', summary: `build root ${opts.dir} ${what}${hint}` };
}

async function readFeed(host: ReadHost, opts: ClobberOptions, ctx: Context): Promise<string> {
  if (/^https?:\/\//.test(opts.feed)) return ctx.fetchText(opts.feed, opts.timeout);
  const text = await host.readFile(opts.feed, { maxBytes: FEED_MAX_BYTES });
  if (text === null) throw new Error(`clobber feed ${opts.feed} does not exist`);
  return text;
}

async function shortHostname(host: ReadHost): Promise<string> {
  const r = await host.run('uname', ['-n']);
  return r.stdout.trim().split('.')[0] ?? '';
}

/** A marker this far ahead of the clock is not believed: it would hide every later request. */
const FUTURE_SLACK_S = 3600;

/** What a request means for one build dir present on this host, or undefined when nothing is due. */
async function actionFor(
  host: ReadHost,
  opts: ClobberOptions,
  req: Request,
  nowS: number,
  warnings: string[],
  pending: readonly PendingEntry[],
): Promise<ClobberAction | undefined> {
  const path = join(opts.dir, req.builddir);
  const [st, marker] = await allInOrder([host.lstat(path), readMarker(host, join(path, MARKER))]);
  if (st === null || st.type !== 'dir') return undefined;
  const markerBefore = parseMarker(marker.text);
  const pin = { path, dev: st.dev, ino: st.ino };
  const base = {
    builddir: req.builddir,
    path,
    requestedAt: req.lastclobber,
    markerBefore,
    pin,
    ...(req.who ? { who: req.who } : {}),
  };
  if (marker.text === null && !marker.warning) return { ...base, kind: 'record', delete: [], entries: [] };
  // a marker that is there but is no marker (a FIFO, a link, junk) was planted: it must not hide the request
  const planted = markerBefore === null;
  if (planted)
    warnings.push(marker.warning ?? `${join(path, MARKER)} does not hold a time: ignored, so it cannot hide requests`);
  if (planted) return { ...base, kind: 'clobber', ...(await doomedIn(host, path, opts, pending)) };
  if (req.lastclobber === markerBefore) return undefined;
  // a marker ahead of the clock and of the request was not written by a clobber of it: it must not hide the request
  const future = markerBefore > nowS + FUTURE_SLACK_S && markerBefore > req.lastclobber;
  if (future)
    warnings.push(
      `${join(path, MARKER)} is in the future (${new Date(markerBefore * 1000).toISOString()}): ignored, so it cannot hide requests`,
    );
  if (!future && req.lastclobber < markerBefore) return undefined;
  return { ...base, kind: 'clobber', ...(await doomedIn(host, path, opts, pending)) };
}

/**
 * The entries of a build dir a clobber deletes: all but the marker, `skip` and what an earlier clobber left
 * pending deletion (deferred), each with its identity.
 */
async function doomedIn(
  host: ReadHost,
  path: string,
  opts: ClobberOptions,
  pending: readonly PendingEntry[],
): Promise<Pick<ClobberAction, 'delete' | 'entries'>> {
  const doomed = ((await host.readdir(path)) ?? [])
    .filter((e) => !kept(e, path, opts, pending))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    delete: doomed.map((e) => e.name),
    entries: doomed.map(({ name, dev, ino, uid, type }) => ({ name, dev, ino, uid, type })),
  };
}

/** The marker is the build user's file: a FIFO, link or huge file there is a warning and counts as no marker. */
async function readMarker(host: ReadHost, path: string): Promise<{ text: string | null; warning?: string }> {
  return host.readFile(path, { maxBytes: 64 }).then(
    (text) => ({ text }),
    (err: unknown) => ({ text: null, warning: `${describeError(err)}: ignored, so it cannot hide requests` }),
  );
}

function describeActions(actions: readonly ClobberAction[]): string {
  const clobbers = actions.filter((a) => a.kind === 'clobber');
  const records = actions.filter((a) => a.kind === 'record');
  const parts: string[] = [];
  if (clobbers.length) {
    const list = clobbers.map(
      (a) => `${a.builddir} (${count(a.delete.length, 'entry', 'entries')}${a.who ? `, by ${a.who}` : ''})`,
    );
    parts.push(`clobber ${count(clobbers.length, 'build dir')}: ${list.join(', ')}`);
  }
  if (records.length) {
    parts.push(
      `record the first marker of ${count(records.length, 'build dir')} with no last-clobber: ${records.map((a) => a.builddir).join(', ')}`,
    );
  }
  return parts.join('; ');
}
