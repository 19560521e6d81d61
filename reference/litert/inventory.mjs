// Which cached models LiteRT.js runs, with their graph inputs/outputs, op histograms and LiteRT run times.
//
//   node inventory.mjs [--runs N] [--json OUT.json] [MODEL_DIR]     (MODEL_DIR defaults to <repo>/.cache/models)
//
// Prints a Markdown table. Each model runs in its own process (run_litert.mjs) on seeded inputs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readTflite } from './tflite_reader.mjs';
import { opHistogram } from './list_ops.mjs';
import { writeInputs } from './inputs.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');

const args = process.argv.slice(2);
let runs = 3;
let jsonOut = null;
let dir = process.env.QGATE_CACHE || path.join(repo, '.cache', 'models');
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--json') jsonOut = args[++i];
  else dir = args[i];
}
const models = fs.readdirSync(dir).filter((f) => f.endsWith('.tflite')).sort();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qgate-inventory-'));
const rows = [];
for (const name of models) {
  const file = path.join(dir, name);
  const bytes = new Uint8Array(fs.readFileSync(file));
  const model = readTflite(bytes, file);
  const g = model.subgraphs[0];
  const io = (ids) => ids.map((i) => `${g.tensors[i].name} ${g.tensors[i].dtype}[${g.tensors[i].shape.join('x')}]`);
  const inputs = writeInputs(bytes, file, path.join(work, name), 1);
  const r = spawnSync(process.execPath, [path.join(here, 'run_litert.mjs'), '--runs', String(runs), file,
    path.join(work, name, 'out'), ...inputs.map((x) => x.path)], { encoding: 'utf8' });
  const ok = r.status === 0;
  const time = /run median ([0-9.]+) ms/.exec(r.stderr)?.[1];
  const why = ok ? '' : (r.stderr.split('\n').find((l) => l.startsWith('run_litert:')) ?? `exit ${r.status}`)
    .replace(/^run_litert: /, '');
  const ops = opHistogram(model).map(([op, n]) => `${op} ${n}`);
  const row = { name, inputs: io(g.inputs), outputs: io(g.outputs), litert: ok, litert_ms: ok ? Number(time) : null,
    failure: why, ops };
  rows.push(row);
  process.stderr.write(`${name}: ${ok ? `ok ${time} ms` : `FAILED ${why}`}\n`);
}
fs.rmSync(work, { recursive: true, force: true });
console.log('| model | inputs | outputs | LiteRT runs? | LiteRT ms | ops |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const runsCell = r.litert ? 'yes' : `NO: ${r.failure}`;
  console.log(`| ${r.name} | ${r.inputs.join('<br>')} | ${r.outputs.join('<br>')} | ${runsCell} | ${r.litert_ms ?? '-'} | ${r.ops.join(', ')} |`);
}
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(rows, null, 1) + '\n');
