import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:faults`: the long fault suites (crash trials, audits under faults at scale).
export default defineConfig({
  test: { ...base.test, include: ['test/long/**/*.spec.ts'], exclude: ['node_modules/**'] },
});
