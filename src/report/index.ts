import type { ReportDocument } from './document.js';
import { renderHtml } from './html.js';
import { renderHuman } from './human.js';
import { renderJunit } from './junit.js';
import { renderNagios } from './nagios.js';
import { renderRunMetrics } from './run-prometheus.js';
import type { Format } from './format.js';

export { FORMATS, type Format } from './format.js';

export interface RenderOptions {
  colour: boolean;
  plans: boolean;
  failOnDrift: boolean;
  /** human audit: every host's details, not only the summary and the hosts with problems */
  verbose?: boolean;
}

export function render(format: Format, doc: ReportDocument, opts: RenderOptions): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  if (format === 'junit') return renderJunit(doc, opts);
  if (format === 'nagios') return renderNagios(doc);
  if (format === 'html') return renderHtml(doc);
  if (format === 'prometheus') return renderRunMetrics(doc);
  return renderHuman(doc, opts);
}
