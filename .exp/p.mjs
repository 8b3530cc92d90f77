import { execFileSync } from 'node:child_process';
const init = (f) => Number(execFileSync(process.execPath, ['--enable-source-maps', '-e', 'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))', f], { encoding: 'utf8', env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' } }));
const r = { static: [], lazymod: [], lazy: [] };
for (let i = 0; i < 25; i++) for (const n of Object.keys(r)) { const b = init('/tmp/cold/exp/none.js'); r[n].push(init(`/tmp/cold/exp/${n}.js`) / b); }
const med = (a) => a.sort((x,y)=>x-y)[a.length>>1];
for (const n of Object.keys(r)) console.log(n, 'paired vs none', med(r[n]).toFixed(3));
