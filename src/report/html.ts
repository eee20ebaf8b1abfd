import { createHash } from 'node:crypto';
import { STATUSES } from '../core/outcome.js';
import type { Status } from '../core/types.js';
import { auditSummaryGroups } from './audit-summary.js';
import type { ReportDocument } from './document.js';
import { esc, scriptJson } from './html-escape.js';
import { pageData } from './html-data.js';
import { SCRIPT } from './html-script.js';
import { STYLE } from './html-style.js';
import { checkCounts, hostCounts, VERDICT_ORDER } from './verdict.js';

/** Problem groups listed on the page; the matrix's filters reach the rest. */
const MAX_GROUPS = 200;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * One self-contained page: the totals, the problems grouped, and a hosts × checks matrix (filters, a host's
 * results and plans on click). Nothing is fetched: the CSP allows only this page's own style and script.
 */
export function renderHtml(doc: ReportDocument): string {
  const csp = `default-src 'none'; style-src ${sha256(STYLE)}; script-src ${sha256(SCRIPT)}; base-uri 'none'; form-action 'none'`;
  const title = `runner ${doc.command}: ${doc.hosts.length} hosts, exit ${doc.exitCode}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width">
<title>${esc(title)}</title><style>${STYLE}</style></head><body>
<h1>${esc(title)}</h1>
<p class="meta">started ${esc(doc.startedAt)}, took ${(doc.durationMs / 1000).toFixed(1)} s</p>
${totals(doc)}
${problems(doc)}
<h2>Hosts × checks</h2>
<div class="filters">
<label>status <select id="status"><option value="">any</option>${STATUSES.map((s) => `<option>${s}</option>`).join('')}</select></label>
<label>check <select id="check"><option value="">any</option>${pageChecks(doc)}</select></label>
<label>host <input id="q" type="search" placeholder="name contains"></label>
<span id="shown"></span></div>
<noscript><p>The matrix needs JavaScript; the totals and problems above do not.</p></noscript>
<table id="matrix"><thead><tr><th>host</th>${[...checkCounts(doc).keys()].map((id) => `<th>${esc(id)}</th>`).join('')}</tr></thead>
<tbody id="rows"></tbody></table>
<button id="more" hidden></button>
<script type="application/json" id="audit-data">${scriptJson(pageData(doc))}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}

function pageChecks(doc: ReportDocument): string {
  return [...checkCounts(doc).keys()].map((id) => `<option value="${esc(id)}">${esc(id)}</option>`).join('');
}

function totals(doc: ReportDocument): string {
  const n = hostCounts(doc);
  const badges = VERDICT_ORDER.map((v) => `<span class="s-${v}" data-verdict="${v}">${n[v]} ${v}</span>`).join('');
  const counts = checkCounts(doc);
  const head = `<tr><th>check</th>${STATUSES.map((s) => `<th>${s}</th>`).join('')}</tr>`;
  const rows = [...counts].map(
    ([id, c]) =>
      `<tr data-check="${esc(id)}"><th>${esc(id)}</th>${STATUSES.map((s) => `<td>${c[s]}</td>`).join('')}</tr>`,
  );
  return `<h2>Totals</h2><p class="totals" id="totals">${badges}</p><table id="counts">${head}${rows.join('')}</table>`;
}

function problems(doc: ReportDocument): string {
  const groups = auditSummaryGroups(doc);
  if (groups.length === 0) return '<h2>Problems</h2><p>none</p>';
  const shown = groups
    .slice(0, MAX_GROUPS)
    .map(
      (g) =>
        `<details class="group s-${g.verdict}"><summary>${esc(g.head)}</summary><pre>${esc(g.reasons.join('\n'))}</pre></details>`,
    );
  const rest = groups.length > MAX_GROUPS ? `<p>${groups.length - MAX_GROUPS} more groups: filter the matrix</p>` : '';
  return `<h2>Problems, worst first (${groups.length} groups)</h2><div class="problems" id="problems">${shown.join('')}${rest}</div>`;
}
