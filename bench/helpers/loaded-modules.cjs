// Preloaded (NODE_OPTIONS=--require) into `hil` processes by the start-up bench: at exit, appends one
// line per process to $HIL_BENCH_LOADED saying whether any OPC UA (node-opcua) module was loaded, so
// the bench can show that protocol libraries load only when a scenario needs them.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const out = process.env.HIL_BENCH_LOADED;
if (out) {
  process.on('exit', () => {
    const mods = Object.keys(Module._cache || require.cache);
    // Code only: reading a package.json (the report records library versions) is not loading the library.
    const code = mods.filter((m) => /\.(c|m)?js$/.test(m));
    const opcua = code.filter((m) => /[\\/]node-opcua[^\\/]*[\\/]/.test(m)).length;
    const mqtt = code.some((m) => /[\\/]node_modules[\\/]mqtt[\\/]/.test(m));
    const modbus = code.some((m) => /[\\/]node_modules[\\/]modbus-serial[\\/]/.test(m));
    try {
      fs.appendFileSync(out, JSON.stringify({ pid: process.pid, argv: process.argv.slice(1, 3).join(' '), modules: mods.length, opcua, mqtt, modbus }) + '\n');
    } catch {
      /* best effort */
    }
  });
}
