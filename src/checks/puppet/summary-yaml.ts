/**
 * last_run_summary.yaml as puppet writes it: `---`, then sections of `  key: scalar` lines. The full YAML
 * parser costs ~5 ms per file until V8 has warmed it up (an audit parses one per host); this reads that exact
 * shape in microseconds and answers undefined for anything else, which then goes to the full parser.
 */
export type Sections = Record<string, Record<string, number | string>>;

const SECTION = /^([a-z_][a-z0-9_]*):$/;
const ENTRY = /^ {2}([a-z_][a-z0-9_]*): (\S+)$/;
// YAML 1.2 core schema numbers in decimal: what the full parser would read as a number, read the same way
const INT = /^-?[0-9]+$/;
const FLOAT = /^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$/;
// plain scalars that are strings in every YAML schema: a word, or a dotted version (7.23.0)
const WORD = /^[A-Za-z][A-Za-z0-9_-]*$/;
const VERSION = /^[0-9]+(\.[0-9]+){2,}$/;
const SPECIAL = /^(null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

export function puppetSummaryYaml(text: string): Sections | undefined {
  const lines = text.split('\n');
  if (lines[0] === '---') lines.shift();
  if (lines.at(-1) === '') lines.pop();
  // no prototype: a section or key named __proto__ is data
  const out: Sections = Object.create(null) as Sections;
  let section: Record<string, number | string> | undefined;
  for (const line of lines) {
    const s = SECTION.exec(line);
    if (s) {
      if (Object.hasOwn(out, s[1] as string)) return undefined;
      section = out[s[1] as string] = Object.create(null) as Record<string, number | string>;
      continue;
    }
    const e = ENTRY.exec(line);
    if (!e || !section || Object.hasOwn(section, e[1] as string)) return undefined;
    const v = e[2] as string;
    if (INT.test(v) || FLOAT.test(v)) section[e[1] as string] = Number(v);
    else if ((WORD.test(v) && !SPECIAL.test(v)) || VERSION.test(v)) section[e[1] as string] = v;
    else return undefined;
  }
  return Object.keys(out).length ? out : undefined;
}
