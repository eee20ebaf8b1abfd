/** runner's version: package.json's, kept equal by test/cli.spec.ts (the bundle and a single executable carry no package.json). */
export const VERSION = '0.1.0';
