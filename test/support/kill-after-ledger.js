'use strict';
// Preloaded into the CLI (`node --require`) by a crash test: the moment a ledger file that says
// SUCCEEDED is renamed into place, the process is killed (SIGKILL: no exit handlers, no later
// write), as a power cut or `kill -9` right after the ledger's write would.
const fs = require('node:fs');

const rename = fs.renameSync;
fs.renameSync = function renameSync(from, to) {
  const result = rename.call(fs, from, to);
  if (String(to).endsWith('.ledger.json')) {
    const text = fs.readFileSync(to, 'utf8');
    if (text.includes('"status": "SUCCEEDED"')) process.kill(process.pid, 'SIGKILL');
  }
  return result;
};
