'use strict';
// The single executable's entry (scripts/sea.mjs): runs the bundle from the code cache the build made, both
// carried inside the executable, as dist/runner.cjs does from files; V8 compiles anew when the cache does not fit.
const { getAsset } = require('node:sea');
const vm = require('node:vm');

// named after the executable, for stack traces; the bundle reads neither name
const file = `${process.execPath}/bundle.cjs`;
const source = `(function (exports, require, module, __filename, __dirname) {${getAsset('bundle.cjs', 'utf8')}\n})`;
const script = new vm.Script(source, { filename: file, cachedData: Buffer.from(getAsset('bundle.cjs.cache')) });
const bundle = { exports: {} };
// this require loads Node's built-in modules only: the bundle needs no other (scripts/bundle.mjs)
script.runInThisContext().call(bundle.exports, bundle.exports, require, bundle, file, process.execPath);
