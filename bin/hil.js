#!/usr/bin/env node
// Entry point of the `hil` command. Runs the compiled tree when it is fresh (bin/compiled-tree.js:
// built by `npm run setup` / `npm run build`); otherwise registers tsx and runs the TypeScript
// sources, so an edited checkout always runs what it holds.
import { compiledTreeFresh } from './compiled-tree.js';

const compiled = compiledTreeFresh();
if (process.env.HIL_DEBUG) process.stderr.write(`hil: running ${compiled ? 'the compiled tree (.build)' : 'the TypeScript sources (tsx)'}\n`);
let main;
if (compiled) ({ main } = await import('../.build/harness/cli/main.js'));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../harness/cli/main.ts'));
}
process.exitCode = await main(process.argv);
