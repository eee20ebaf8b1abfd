import type { ReportDocument } from './document.js';
import { renderHuman } from './human.js';
import { renderJunit } from './junit.js';
import { renderRunMetrics } from './run-prometheus.js';
import type { Format } from './format.js';

export { FORMATS, type Format } from './format.js';

export interface RenderOptions {
  colour: boolean;
  plans: boolean;
  failOnDrift: boolean;
}

export function render(format: Format, doc: ReportDocument, opts: RenderOptions): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  if (format === 'junit') return renderJunit(doc, opts);
  if (format === 'prometheus') return renderRunMetrics(doc);
  return renderHuman(doc, opts);
}
