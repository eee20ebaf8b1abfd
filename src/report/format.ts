// apart from the renderers, so the CLI can offer --format without loading them (and every check they name)
export type Format = 'human' | 'json' | 'junit' | 'nagios' | 'html' | 'prometheus';
export const FORMATS: readonly Format[] = ['human', 'json', 'junit', 'nagios', 'html', 'prometheus'];
