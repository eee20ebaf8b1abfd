import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { scriptJson } from '../../src/report/html-escape.js';
import { renderHtml } from '../../src/report/html.js';
import { HOSTILE, generatedAudit } from '../helpers/audit-doc.js';
import { artifactPath, chromium } from '../helpers/chromium.js';
import { sandbox } from '../helpers/tmp.js';

const dir = sandbox('runner-html-');
const doc = generatedAudit(5000);
const evilName = doc.hosts.at(-1)?.host as string;
let file: string;
let html: string;

const dom = (fragment = '') =>
  chromium(['--dump-dom', '--virtual-time-budget=10000'], `${pathToFileURL(file).href}${fragment}`);
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

beforeAll(() => {
  html = renderHtml(doc);
  file = join(dir, 'audit.html');
  writeFileSync(file, html);
});

describe('report/html', () => {
  it('is one self-contained file of sane size: no URL to fetch, a CSP that allows only its own style and script', () => {
    const bytes = statSync(file).size;
    console.log(`audit.html for ${doc.hosts.length} hosts: ${(bytes / 1e6).toFixed(2)} MB`);
    expect(bytes).toBeLessThan(6e6);
    // no element with a src or href, no URL, no CSS import: nothing to fetch (the hostile text has its `<` escaped)
    expect(/<[a-z]+[^>]*\s(src|href)=|https?:\/\/|@import|url\(/i.test(html)).toBe(false);
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-/,
    );
  });

  it('embeds the data inertly: no <, U+2028 or </script> inside, and it parses back to the same strings', () => {
    const json = scriptJson({ s: HOSTILE });
    expect(json).not.toMatch(/[<>\u2028]/);
    expect((JSON.parse(json) as { s: string }).s).toBe(HOSTILE);
    const embedded = /<script type="application\/json" id="audit-data">([^]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(embedded).not.toContain('<');
    expect((JSON.parse(embedded) as { hosts: unknown[] }).hosts).toHaveLength(5001);
  });

  it('renders in real Chromium: totals, per check counts, the first 500 rows of the matrix; a screenshot is kept', async () => {
    const out = await dom();
    expect(out).toContain('data-ready="yes"');
    expect(out).toContain('<span class="s-drift" data-verdict="drift">500 drift</span>');
    expect(out).toContain('<span class="s-unreachable" data-verdict="unreachable">100 unreachable</span>');
    expect(out).toMatch(
      /<tr data-check="purge"><th>purge<\/th><td>4250<\/td><td>500<\/td><td>0<\/td><td>151<\/td><td>100<\/td>/,
    );
    expect(count(out, /<tr class="host"/g)).toBe(500);
    expect(out).toContain('showing 500 of 5001 matching hosts (5001 in all)');
    expect(out).toMatch(
      /<tr class="host" data-i="0"><th class="name"><button>bld-0001<\/button><\/th><td class="s-ok">ok<\/td><td class="s-drift">drift<\/td><\/tr>/,
    );
    const png = artifactPath('audit-5000.png');
    await chromium(
      ['--screenshot=' + png, '--window-size=1280,900', '--virtual-time-budget=10000'],
      pathToFileURL(file).href,
    );
    console.log(`screenshot: ${png}`);
    const head = readFileSync(png).subarray(0, 8);
    expect(head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(statSync(png).size).toBeGreaterThan(20_000);
  });

  it('filters by status and check (from the #fragment the filters write)', async () => {
    const out = await dom('#status=failed&check=purge');
    expect(count(out, /<tr class="host"/g)).toBe(151);
    expect(out).toContain('showing 151 of 151 matching hosts (5001 in all)');
    expect(out).toMatch(
      /<td class="s-failed" colspan="2">failed: invalid config bld-0501:\/etc\/runner\/runner.yaml: 4:31: /,
    );
    const unreachable = await dom('#status=unreachable');
    expect(count(unreachable, /<tr class="host"/g)).toBe(100);
    expect(unreachable).toContain('unreachable: timeout: no SSH handshake within 10s');
  });

  it("opens a host's results and plan; hostile names, reasons and plans stay text, nothing executes", async () => {
    const out = await dom(`#q=evil&open=${encodeURIComponent(evilName)}`);
    expect(count(out, /<tr class="host"/g)).toBe(1);
    expect(count(out, /<tr class="detail"/g)).toBe(1);
    expect(out).toContain('<title>runner audit: 5001 hosts, exit 14</title>');
    expect(out).not.toMatch(/<img/i);
    expect(count(out, /<script/g)).toBe(2);
    expect(out).toContain(
      '<button>evil&lt;img src=x onerror="document.title=\'pwned\'"&gt;&lt;/script&gt;&lt;script&gt;',
    );
    expect(out).toContain('<pre>reading &lt;img src=x onerror=');
    expect(out).toContain('"path": "/builds/&lt;img src=x onerror=');
    const plain = await dom(`#q=bld-0002&open=bld-0002`);
    expect(plain).toMatch(/<h4>purge <span class="badge s-drift">drift<\/span><\/h4><pre>delete 4 dirs \(6 GB\)/);
    expect(plain).toContain('- /builds/job-2-0  1.5 GB  2024-04-01 08:00  age');
  });
});
