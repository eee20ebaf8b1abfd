import type { Remediation } from '../core/types.js';
import { clobber } from './clobber.js';
import { processes } from './processes.js';
import { puppet } from './puppet.js';
import { purge } from './purge.js';
import { temp } from './temp.js';
import { tools } from './tools/index.js';

/** The fix of each check that has one, by check id. */
export const remediations = new Map<string, Remediation<any, any>>();
remediations.set('clobber', clobber);
remediations.set('processes', processes);
remediations.set('puppet', puppet);
remediations.set('purge', purge);
remediations.set('temp', temp);
remediations.set('tools', tools);
