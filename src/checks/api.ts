import type { Check } from '../core/types.js';
import { clobber } from './clobber/index.js';
import { image } from './image/index.js';
import { processes } from './processes/index.js';
import { puppet } from './puppet/index.js';
import { purge } from './purge/index.js';
import { temp } from './temp/index.js';
import { tools } from './tools/index.js';

/** Every check runner knows, by id. Explicit: nothing registers itself on import. */
export const checks = new Map<string, Check<any, any>>();
checks.set('clobber', clobber);
checks.set('image', image);
checks.set('processes', processes);
checks.set('puppet', puppet);
checks.set('purge', purge);
checks.set('temp', temp);
checks.set('tools', tools);
