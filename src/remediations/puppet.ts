import { errorLines } from '../checks/puppet/parse.js';
import type { PuppetOptions, PuppetPlan } from '../checks/puppet/schema.js';
import { RunnerError } from '../core/errors.js';
import type { Remediation } from '../core/types.js';
import { runIsolated } from '../host/isolated.js';

export const puppet: Remediation<PuppetOptions, PuppetPlan> = {
  id: 'puppet',
  async apply(host, plan, opts) {
    const { exitCode, output } = await runIsolated(host, plan.argv, opts.timeout);
    const what = `'${plan.argv.slice(0, 2).join(' ')}'`;
    // --detailed-exitcodes: 0 nothing to do, 2 changes applied; 1, 4 and 6 mean something failed
    if (exitCode === 0) return `${what} ran: no changes needed`;
    if (exitCode === 2) return `${what} ran and applied changes`;
    const errors = errorLines(output);
    throw new RunnerError(`${what} exited ${exitCode ?? '(killed)'}${errors.length ? `: ${errors.join(' / ')}` : ''}`);
  },
};
