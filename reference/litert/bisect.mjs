// Layer-by-layer bisection of `qgate run` against LiteRT on one .tflite model (float or dynamic-range).
//
//   node reference/litert/bisect.mjs --qgate BUILD/qgate MODEL.tflite [--seed S] [--input IN.npy ...]
//        [--mode truncate|expose] [--qgate-arg ARG ...] [--from K] [--to K] [--ops CONV_2D,...]
//        [--isolated] [--require-exact] [--json OUT.json] [--keep DIR]
//
// qgate runs the whole model once with --dump-layers (every node's output, matched to TFLite's tensors by name).
// LiteRT runs, for every operator k whose output is a float32 tensor qgate also dumped, a copy of the model that
// shows that tensor: --mode truncate (default) keeps operators 0..k and makes k's output the graph output
// (tflite_outputs.mjs truncatedAfter: what the runtime computes when k is the last op, the delegate partitions
// only that prefix); --mode expose keeps every operator and adds nothing but the output (withOutputIds: the full
// graph's partitioning, with that tensor made external). Each line: operator index, op, whether its weight is
// int8 (the hybrid ops), tensor name, shape, NMSE and max |qgate - LiteRT| (double), and "exact" when they are
// bit-identical; the last line names the first operator that differs. --isolated also runs each operator alone
// in both runtimes on LiteRT's own values of its inputs (tflite_outputs.mjs singleOperator; each input is the value
// LiteRT showed for it earlier in the bisection, else from the full model with it exposed as an output), which
// separates an operator's own arithmetic from what it inherits. --ops keeps the named operator types; --from / --to bound the operator indices.
// Caution, measured: making a tensor a graph output can change what LiteRT computes around it (XNNPACK's sparse
// NCHW rewrite gives up on clusters with external values), so a difference that shows only at the model's outputs
// can vanish under observation; docs/litert-cpu.md.
// Inputs: --input files in model input order, else reference/litert/inputs.mjs's seeded inputs (--seed, default 1).
// Exit status: 0 when the comparison ran (with --require-exact: and every compared tensor, alone too, was
// bit-identical), 1 when a runtime failed or --require-exact found a difference, 2 on bad usage.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadLiteRtNode } from './litert_node.mjs';
import { readNpy, writeNpy } from './npy.mjs';
import { readTflite } from './tflite_reader.mjs';
import { writeInputs } from './inputs.mjs';
import { singleOperator, truncatedAfter, withOutputIds } from './tflite_outputs.mjs';

class Usage extends Error {}

const realStdout = process.stdout.write.bind(process.stdout);
const realStderr = process.stderr.write.bind(process.stderr);
const log = [];
const say = (s) => realStdout(`${s}\n`);

// LiteRT prints through console and the process streams; keep its lines to scan for failures.
function captureOutput() {
  const keep = (...args) => { log.push(args.map(String).join(' ')); };
  for (const k of ['log', 'info', 'warn', 'error', 'debug']) console[k] = keep;
  process.stdout.write = (chunk) => { log.push(String(chunk).replace(/\n$/, '')); return true; };
  process.stderr.write = (chunk) => { log.push(String(chunk).replace(/\n$/, '')); return true; };
}

function failuresSince(mark) {
  return log.slice(mark).filter((line) => /failed to|error:/i.test(line) && !/WebGPU|navigator/.test(line));
}

function parseArgs(argv) {
  const o = { qgate: null, model: null, seed: 1, inputs: [], mode: 'truncate', qgateArgs: [], from: 0, to: Infinity,
    ops: null, json: null, keep: null, isolated: false, requireExact: false };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--qgate') o.qgate = value();
    else if (a === '--seed') o.seed = Number(value());
    else if (a === '--input') o.inputs.push(value());
    else if (a === '--mode') o.mode = value();
    else if (a === '--qgate-arg') o.qgateArgs.push(value());
    else if (a === '--from') o.from = Number(value());
    else if (a === '--to') o.to = Number(value());
    else if (a === '--ops') o.ops = new Set(value().split(','));
    else if (a === '--json') o.json = value();
    else if (a === '--keep') o.keep = value();
    else if (a === '--isolated') o.isolated = true;
    else if (a === '--require-exact') o.requireExact = true;
    else if (a.startsWith('--')) throw new Usage(`unknown argument ${a}`);
    else if (!o.model) o.model = a;
    else throw new Usage(`one model only, got ${o.model} and ${a}`);
  }
  if (!o.qgate || !o.model) throw new Usage('--qgate and MODEL are required');
  if (!['truncate', 'expose'].includes(o.mode)) throw new Usage(`--mode wants truncate or expose, got ${o.mode}`);
  if (!Number.isInteger(o.seed)) throw new Usage(`--seed wants an integer, got ${o.seed}`);
  for (const p of [o.qgate, o.model, ...o.inputs]) if (!fs.existsSync(p)) throw new Usage(`${p} does not exist`);
  return o;
}

function compare(q, r) {
  let err = 0;
  let energy = 0;
  let maxAbs = 0;
  let same = q.data.length === r.data.length;
  for (let i = 0; i < r.data.length; ++i) {
    const d = q.data[i] - r.data[i];
    if (!Object.is(q.data[i], r.data[i])) same = false;
    if (Number.isFinite(d)) {
      err += d * d;
      maxAbs = Math.max(maxAbs, Math.abs(d));
    }
    if (Number.isFinite(r.data[i])) energy += r.data[i] * r.data[i];
  }
  return { nmse: err / Math.max(energy, 1e-30), maxAbs, exact: same };
}

// qgate's dump: tensor name -> .npy path.
function runQgate(o, inputs, work) {
  const dir = path.join(work, 'layers');
  const args = ['run', o.model, ...inputs.flatMap((p) => ['--input', p]), '--output-dir', path.join(work, 'out'),
    '--dump-layers', dir, ...o.qgateArgs];
  const r = spawnSync(o.qgate, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`qgate ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
  const byName = new Map();
  const rows = fs.readFileSync(path.join(dir, 'layers.tsv'), 'utf8').trim().split('\n').slice(1);
  for (const row of rows) {
    const [node, op, , tensor, file] = row.split('\t');
    if (file !== '-') byName.set(tensor, { node: Number(node), op, path: path.join(dir, file) });
  }
  return byName;
}

// Runs `bytes` in LiteRT on `arrays` (graph input order); returns its outputs in graph output order (matched to
// LiteRT's signature by tensor name, as run_litert.mjs does).
async function runLiteRt(core, bytes, arrays, what) {
  const mark = log.length;
  const model = await core.loadAndCompile(bytes, { accelerator: 'wasm' });
  let failed = failuresSince(mark);
  if (failed.length) throw new Error(`LiteRT could not prepare ${what}: ${failed[0]}`);
  const g = readTflite(bytes, what).subgraphs[0];
  const inDetails = model.getInputDetails();
  const outDetails = model.getOutputDetails();
  const order = (details, ids) => {
    const byName = ids.map((id) => details.findIndex((d) => d.name === g.tensors[id].name));
    return byName.every((i) => i >= 0) ? byName : ids.map((_, i) => i);
  };
  const inMap = order(inDetails, g.inputs);
  const outMap = order(outDetails, g.outputs);
  const tensors = new Array(arrays.length);
  arrays.forEach((a, i) => { tensors[inMap[i]] = new core.Tensor(a.data, Array.from(inDetails[inMap[i]].shape)); });
  const outs = await model.run(tensors);
  const result = outMap.map((j) => ({
    shape: Array.from(outs[j].type.layout.dimensions), data: Float32Array.from(outs[j].toTypedArray()),
  }));
  for (const x of outs) x.delete();
  for (const x of tensors) x.delete();
  model.delete();
  failed = failuresSince(mark);
  if (failed.length) throw new Error(`LiteRT failed running ${what}: ${failed[0]}`);
  return result;
}

// Operator k alone on LiteRT's own values of its inputs, in both runtimes: {qgate, litert} arrays of its first
// output. The inputs are LiteRT's values already seen in this bisection (`seen`: tensor id -> array, from the run
// that showed that tensor), else they come from the full model with those tensors exposed as outputs.
async function isolated(o, core, bytes, k, arrays, work, seen) {
  const single = singleOperator(bytes, k, o.model);
  const g = readTflite(bytes, o.model).subgraphs[0];
  const feeds = single.inputs.map((id) => {
    const gi = g.inputs.indexOf(id);
    return gi >= 0 ? { id, array: arrays[gi] } : { id, array: null };
  });
  for (const f of feeds) if (!f.array && seen.has(f.id)) f.array = { dtype: 'float32', ...seen.get(f.id) };
  const inner = feeds.filter((f) => !f.array).map((f) => f.id);
  if (inner.length) {
    const got = await runLiteRt(core, withOutputIds(bytes, inner, o.model), arrays, `${o.model} (inputs of op ${k})`);
    inner.forEach((id, j) => { feeds.find((f) => f.id === id).array = { dtype: 'float32', ...got[j] }; });
  }
  const dir = path.join(work, `op${k}`);
  fs.mkdirSync(dir, { recursive: true });
  const files = feeds.map((f, i) => {
    const file = path.join(dir, `in_${i}.npy`);
    writeNpy(file, { dtype: f.array.dtype ?? 'float32', shape: f.array.shape, data: f.array.data });
    return file;
  });
  const modelFile = path.join(dir, 'op.tflite');
  fs.writeFileSync(modelFile, single.bytes);
  const r = (await runLiteRt(core, single.bytes, feeds.map((f) => f.array), `op ${k} alone`))[0];
  const qdir = path.join(dir, 'qgate');
  const args = ['run', modelFile, ...files.flatMap((p) => ['--input', p]), '--output-dir', qdir, ...o.qgateArgs];
  const q = spawnSync(o.qgate, args, { encoding: 'utf8' });
  if (q.status !== 0) throw new Error(`qgate ${args.join(' ')} failed (exit ${q.status}): ${q.stderr.trim()}`);
  return { qgate: readNpy(path.join(qdir, 'out_0.npy')), litert: r };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const work = o.keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'qgate-bisect-'));
  fs.mkdirSync(work, { recursive: true });
  try {
    const bytes = new Uint8Array(fs.readFileSync(o.model));
    const m = readTflite(bytes, o.model);
    const g = m.subgraphs[0];
    const inputs = o.inputs.length ? o.inputs
      : writeInputs(bytes, o.model, path.join(work, 'inputs'), o.seed).map((x) => x.path);
    if (inputs.length !== g.inputs.length) throw new Usage(`${o.model} has ${g.inputs.length} inputs, got ${inputs.length}`);
    const arrays = inputs.map(readNpy);
    const dumped = runQgate(o, inputs, work);

    captureOutput();
    const core = await loadLiteRtNode();
    say(`bisect ${path.basename(o.model)} (${o.mode}${o.qgateArgs.length ? `; qgate ${o.qgateArgs.join(' ')}` : ''}): ` +
        `${g.operators.length} operators, inputs ${o.inputs.length ? inputs.join(',') : `seed ${o.seed}`}`);
    say(`op\tname\tint8\ttensor\tshape\tNMSE\tmaxabs\texact${o.isolated ? '\talone NMSE\talone maxabs\talone exact' : ''}`);
    const rows = [];
    const seen = new Map();  // tensor id -> LiteRT's value, from the run that showed it, until its last reader
    const lastReader = new Map();
    g.operators.forEach((op, i) => op.inputs.forEach((t) => lastReader.set(t, i)));
    for (let k = o.from; k < Math.min(g.operators.length, o.to + 1); ++k) {
      const op = g.operators[k];
      const name = m.opcodes[op.opcodeIndex].name;
      if (o.ops && !o.ops.has(name)) continue;
      const out = op.outputs[0];
      const t = g.tensors[out];
      const q = dumped.get(t.name);
      if (t.dtype !== 'float32' || !q) continue;
      const weight = op.inputs.length > 1 && op.inputs[1] >= 0 ? g.tensors[op.inputs[1]] : null;
      const int8 = weight && weight.dtype === 'int8' ? 'int8' : '';
      const patched = o.mode === 'truncate' ? truncatedAfter(bytes, k + 1, out, o.model) : withOutputIds(bytes, [out], o.model);
      const [r] = await runLiteRt(core, patched, arrays, `${o.model} up to op ${k}`);
      seen.set(out, r);
      const qa = readNpy(q.path);
      const c = qa.data.length === r.data.length ? compare(qa, r) : { nmse: NaN, maxAbs: NaN, exact: false };
      const row = { op: k, name, int8: Boolean(int8), tensor: t.name, shape: r.shape, qgate_node: q.node, ...c };
      let alone = '';
      if (o.isolated) {
        const iso = await isolated(o, core, bytes, k, arrays, work, seen);
        row.isolated = compare(iso.qgate, iso.litert);
        alone = `\t${row.isolated.nmse.toExponential(3)}\t${row.isolated.maxAbs.toExponential(3)}\t${row.isolated.exact ? 'exact' : ''}`;
      }
      rows.push(row);
      for (const id of [...seen.keys()]) if ((lastReader.get(id) ?? -1) <= k) seen.delete(id);
      say(`${k}\t${name}\t${int8}\t${t.name}\t(${r.shape})\t${c.nmse.toExponential(3)}\t${c.maxAbs.toExponential(3)}\t${c.exact ? 'exact' : ''}${alone}`);
    }
    const firstDiff = rows.find((r) => !r.exact);
    say(firstDiff ? `first difference: op ${firstDiff.op} ${firstDiff.name} ${firstDiff.tensor} NMSE ${firstDiff.nmse.toExponential(3)}`
      : `every compared tensor is bit-identical (${rows.length})`);
    if (o.json) fs.writeFileSync(o.json, JSON.stringify({ model: o.model, mode: o.mode, qgate_args: o.qgateArgs, rows }, null, 1) + '\n');
    if (o.requireExact) {
      const bad = rows.filter((r) => !r.exact || (r.isolated && !r.isolated.exact));
      if (bad.length || !rows.length) {
        say(`FAIL: ${bad.length} of ${rows.length} compared tensors differ`);
        return 1;
      }
      say(`PASS: ${rows.length} tensors bit-identical${o.isolated ? ', each operator alone too' : ''}`);
    }
    return 0;
  } finally {
    if (!o.keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (status) => process.exit(status),
  (e) => {
    realStderr(`bisect: ${e.message}\n`);
    if (e instanceof Usage) {
      realStderr('usage: bisect.mjs --qgate BUILD/qgate MODEL.tflite [--seed S] [--input IN.npy ...] [--mode truncate|expose] ' +
                 '[--qgate-arg ARG ...] [--from K] [--to K] [--ops OP,...] [--isolated] [--require-exact] [--json OUT] [--keep DIR]\n');
      process.exit(2);
    }
    const tail = log.filter((l) => !/^INFO:|WebGPU|navigator/.test(l)).slice(-6);
    if (tail.length) realStderr(`bisect: last LiteRT log lines:\n  ${tail.join('\n  ')}\n`);
    process.exit(1);
  });
