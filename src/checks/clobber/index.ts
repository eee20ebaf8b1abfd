import { join } from 'node:path/posix';
import { matchesGlob } from '../../core/glob.js';
import type { Check, Context, Finding, Host } from '../../core/types.js';
import { parseFeed, parseMarker, requestsFor, type Request } from './parse.js';
import { ClobberOptions, type ClobberAction, type ClobberPlan } from './schema.js';
import { count } from '../../core/text.js';

export const MARKER = 'last-clobber';

export const clobber: Check<ClobberOptions, ClobberPlan> = {
  id: 'clobber',
  summary: 'empties build dirs that the clobber feed asks to clobber since their last-clobber marker',
  options: ClobberOptions,
  async probe(host, opts, ctx): Promise<Finding<ClobberPlan>> {
    const feed = parseFeed(await readFeed(host, opts, ctx), opts.feed);
    const name = opts.host ?? (await shortHostname(host));
    const { requests, rejected } = requestsFor(feed, name);
    const actions: ClobberAction[] = [];
    for (const req of requests) {
      const action = await actionFor(host, opts, req);
      if (action) actions.push(action);
    }
    const extra = rejected.length ? { warnings: rejected } : {};
    if (actions.length === 0) return { state: 'ok', summary: `no clobber requests pending for ${name} under ${opts.dir}`, ...extra };
    return { state: 'drift', summary: describeActions(actions), plan: { actions }, ...extra };
  },
  explain(plan) {
    return plan.actions.map((a) => {
      const when = new Date(a.requestedAt * 1000).toISOString().slice(0, 16).replace('T', ' ');
      if (a.kind === 'record') return `- ${a.path}: no marker yet; record ${a.requestedAt} (${when}), delete nothing`;
      const list = a.delete.length > 6 ? `${a.delete.slice(0, 6).join(', ')}, … (${a.delete.length})` : a.delete.join(', ') || 'nothing';
      return `- ${a.path}: requested ${when}${a.who ? ` by ${a.who}` : ''}; delete ${list}`;
    });
  },
};

async function readFeed(host: Host, opts: ClobberOptions, ctx: Context): Promise<string> {
  if (/^https?:\/\//.test(opts.feed)) return ctx.fetchText(opts.feed, opts.timeout);
  const text = await host.readFile(opts.feed);
  if (text === null) throw new Error(`clobber feed ${opts.feed} does not exist`);
  return text;
}

async function shortHostname(host: Host): Promise<string> {
  const r = await host.run('uname', ['-n']);
  return r.stdout.trim().split('.')[0] ?? '';
}

/** What a request means for one build dir present on this host, or undefined when nothing is due. */
async function actionFor(host: Host, opts: ClobberOptions, req: Request): Promise<ClobberAction | undefined> {
  const path = join(opts.dir, req.builddir);
  const st = await host.lstat(path);
  if (st === null || st.type !== 'dir') return undefined;
  const markerBefore = parseMarker(await host.readFile(join(path, MARKER)));
  const base = { builddir: req.builddir, path, requestedAt: req.lastclobber, markerBefore, ...(req.who ? { who: req.who } : {}) };
  if (markerBefore === null) return { ...base, kind: 'record', delete: [] };
  if (req.lastclobber <= markerBefore) return undefined;
  const entries = (await host.readdir(path)) ?? [];
  const keep = [MARKER, ...opts.skip];
  const doomed = entries.map((e) => e.name).filter((n) => !keep.some((g) => matchesGlob(n, g))).sort();
  return { ...base, kind: 'clobber', delete: doomed };
}

function describeActions(actions: readonly ClobberAction[]): string {
  const clobbers = actions.filter((a) => a.kind === 'clobber');
  const records = actions.filter((a) => a.kind === 'record');
  const parts: string[] = [];
  if (clobbers.length) {
    const list = clobbers.map((a) => `${a.builddir} (${count(a.delete.length, 'entry', 'entries')}${a.who ? `, by ${a.who}` : ''})`);
    parts.push(`clobber ${count(clobbers.length, 'build dir')}: ${list.join(', ')}`);
  }
  if (records.length) {
    parts.push(`record the first marker of ${count(records.length, 'build dir')} with no last-clobber: ${records.map((a) => a.builddir).join(', ')}`);
  }
  return parts.join('; ');
}
