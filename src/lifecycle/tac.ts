/** What buildbot.tac sets `allow_shutdown` to: 'file', 'signal', or null (None, or no line: the worker cannot be drained). */
export type AllowShutdown = 'file' | 'signal' | null;

export type TacReading = { value: AllowShutdown; shown: string } | { error: string };

const NAME_AT_LINE_START = /^\s*allow_shutdown\b/;
const TOP_LEVEL = /^allow_shutdown\s*=\s*(?<value>[^#]*?)\s*(?:#.*)?$/;
const LITERALS: Record<string, AllowShutdown> = {
  "'file'": 'file',
  '"file"': 'file',
  "'signal'": 'signal',
  '"signal"': 'signal',
  None: null,
};

/**
 * Reads `allow_shutdown` from the text of a buildbot.tac as data, never as Python: only a top-level
 * `allow_shutdown = 'file' | 'signal' | None` line counts. Anything else naming it at a line's start (an
 * assignment in a block, an expression, two different values) is an error: runner cannot know what it means. Pure.
 */
export function parseAllowShutdown(text: string): TacReading {
  const found = new Map<string, AllowShutdown>();
  for (const [i, line] of text.split('\n').entries()) {
    if (!NAME_AT_LINE_START.test(line)) continue;
    const raw = TOP_LEVEL.exec(line)?.groups?.value;
    const shown = `line ${i + 1}: ${JSON.stringify(line.slice(0, 120))}`;
    if (raw === undefined || !Object.hasOwn(LITERALS, raw))
      return { error: `${shown} is not a top-level allow_shutdown = 'file', 'signal' or None` };
    found.set(raw === 'None' ? 'None' : `'${LITERALS[raw]}'`, LITERALS[raw] as AllowShutdown);
  }
  if (found.size > 1) return { error: `allow_shutdown is set to different values: ${[...found.keys()].join(', ')}` };
  const [only] = found.entries();
  if (!only) return { value: null, shown: "no allow_shutdown line (the worker's default, None)" };
  return { value: only[1], shown: `allow_shutdown = ${only[0]}` };
}

/** The value a drain method needs. */
export function allowShutdownFor(via: 'stamp' | 'signal'): Exclude<AllowShutdown, null> {
  return via === 'stamp' ? 'file' : 'signal';
}
