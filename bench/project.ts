import { project } from './fleet/projection.js';

// `node dist/bench/project.js`: the audit's scale projection again, from the figures in bench/results.json
for (const variant of ['all', 'no-tools']) project(variant);
