// Prints the operator histogram of .tflite files (builtin names; custom ops by their custom_code), and the
// graph inputs and outputs.
//   node list_ops.mjs [--json] MODEL.tflite [MODEL.tflite ...]
import fs from 'node:fs';
import path from 'node:path';
import { readTflite } from './tflite_reader.mjs';

export function opHistogram(model) {
  const counts = new Map();
  for (const g of model.subgraphs) {
    for (const op of g.operators) {
      const oc = model.opcodes[op.opcodeIndex];
      const key = oc.builtin === 32 ? `CUSTOM:${oc.custom ?? '?'}` : oc.name;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function main() {
  const args = process.argv.slice(2);
  const json = args[0] === '--json';
  const files = json ? args.slice(1) : args;
  if (files.length === 0) {
    process.stderr.write('usage: list_ops.mjs [--json] MODEL.tflite [...]\n');
    process.exit(2);
  }
  const all = {};
  for (const file of files) {
    let model;
    try {
      model = readTflite(new Uint8Array(fs.readFileSync(file)), file);
    } catch (e) {
      process.stderr.write(`list_ops: ${e.message}\n`);
      process.exit(2);
    }
    const g = model.subgraphs[0];
    const io = (ids) => ids.map((i) => `${g.tensors[i].name}:${g.tensors[i].dtype}[${g.tensors[i].shape}]`);
    const hist = opHistogram(model);
    const nops = model.subgraphs.reduce((n, s) => n + s.operators.length, 0);
    if (json) {
      all[path.basename(file)] = { subgraphs: model.subgraphs.length, operators: nops, inputs: io(g.inputs),
        outputs: io(g.outputs), ops: Object.fromEntries(hist) };
      continue;
    }
    console.log(`${path.basename(file)}: ${model.subgraphs.length} subgraph(s), ${nops} operators`);
    console.log(`  inputs:  ${io(g.inputs).join(' ')}`);
    console.log(`  outputs: ${io(g.outputs).join(' ')}`);
    for (const [name, n] of hist) console.log(`  ${String(n).padStart(5)}  ${name}`);
  }
  if (json) console.log(JSON.stringify(all, null, 1));
}

if (import.meta.url === `file://${process.argv[1]}`) main();
