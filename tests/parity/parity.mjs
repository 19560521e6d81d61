// Parity of `qgate run` against a real TFLite or ONNX runtime on one model and seeded inputs, float or hybrid.
//
//   node tests/parity/parity.mjs --qgate BUILD/qgate --model M.tflite|M.onnx [--reference litert|interpreter|onnxruntime]
//        [--quantize SCHEME] [--reference-model M2.tflite] [--outputs NAME1,NAME2] [--pre-saturation]
//        [--qgate-arg ARG ...] [--int-range V] [--input-shape NAME:D0,D1,... ...] [--input-value NAME=V ...]
//        [--seeds 1,2,3] [--tolerance 1e-6] [--max-rel R] [--prob-tolerance P] [--no-cache] [--keep] [--runs N]
//        [--qgate-repeat N] [--expect-refusal MESSAGE]
//
// Models: qgate runs --model, or with --quantize S the dynamic-range file `qgate quantize --model M --scheme S`
// writes (int8 weights, run hybrid by both runtimes). The reference runs --reference-model when given, else the
// same file as qgate. --outputs makes both files expose the named tensors as their graph outputs (TFLite:
// reference/litert/tflite_outputs.mjs; ONNX: reference/onnxruntime/onnx_outputs.py), to test one op's output
// rather than the float ops after it. --pre-saturation keeps the graph outputs and adds, after them, the input of
// each output made by a saturating op (TFLite LOGISTIC, SOFTMAX, LOG_SOFTMAX, TANH; ONNX Softmax, LogSoftmax,
// Sigmoid, Tanh, HardSigmoid; seen through reshapes): a softmax whose top class holds 0.9999 hides a large error
// on another logit, so the logits are held to the relative bounds below and the saturated outputs to an absolute
// one, --prob-tolerance (default 1e-5).
// --qgate-arg ARG (repeatable) is appended to `qgate run` (e.g. --activations asym, --epilogue xnnpack).
// Reference: litert (reference/litert/run_litert.mjs: LiteRT.js, XNNPACK) or interpreter
// (reference/tflite_interpreter/run_tflite.mjs: the older TFLite interpreter of @tensorflow/tfjs-tflite, builtin
// RNN/LSTM kernels; one Infer() on a fresh runner, since its recurrent state carries across Infer() calls) for
// .tflite; onnxruntime (reference/onnxruntime/run_ort.mjs: onnxruntime-node, CPU, 1 intra-op thread, default graph
// optimizations) for .onnx, whose inputs and outputs come from the session's metadata (--quantize and --outputs
// are TFLite-only).
// Inputs: reference/litert/inputs.mjs (seeded, uniform; image-like float inputs in [0, 1] (NHWC, and for ONNX
// also NCHW), others [-1, 1], uint8 0..255, int32/int64 token ids in [0, V) with V from --int-range or, in a
// .tflite, the embedding table the input feeds).
// --input-shape NAME:D0,D1,... (repeatable) gives an input with dynamic dimensions the shape it is fed at (the
// size users run the model at); fixed dimensions must agree. qgate gets the model as it is and takes the shape
// from the .npy; onnxruntime does the same; for a .tflite the reference runs a copy whose input shapes are
// written into the file (reference/litert/tflite_input_shapes.mjs: only dimensions the file's shape_signature
// marks -1 may change; use --reference interpreter, LiteRT.js fails on such a copy). --input-value NAME=V
// (repeatable) fills that input with the constant V instead of seeded values (a sample rate, a flag).
// Seeds: --seeds 1,2,3 (or --seed 1,2,3) runs the whole comparison once per seed (each its own inputs and golden).
// Default: seed 1.
// Golden: cached under <repo>/.cache/golden/<sha256 of the reference's model bytes, the inputs, the runtime's
// name and package version, its runner script and every local module the runner imports> (or
// $QGATE_GOLDEN_CACHE); only this script writes the cache. Each entry's meta.json holds the sha256 of every
// golden file, checked on every read: an entry that does not match fails the case (delete the entry to let it
// be recomputed). `scripts/test --empty-golden-cache` runs with a fresh cache.
// Candidate: `qgate run M --input in_0.npy [--input in_1.npy ...] --output-dir D [ARGS]` writes D/out_<j>.npy
// (float32, model output order), exit 0 ok, 2 bad input. With --qgate-repeat N > 1 (default 3) it also gets
// `--repeat N` and prints its median run time; --qgate-repeat 1 sticks to the bare contract.
// Per output: NMSE = sum((q - r)^2) / max(sum(r^2), tiny), max |q - r| and max |q - r| / max |r|, in double.
// Passes when NMSE <= --tolerance and every element's |q - r| <= --max-rel * max |r| (default: sqrt of the
// tolerance, the per-element error an NMSE bound allows at the largest value); under --pre-saturation a saturated
// output passes when max |q - r| <= --prob-tolerance. --tolerance 0 means bit-exact: NMSE exactly 0 and
// max |q - r| exactly 0 for every output.
// --expect-refusal MESSAGE: the case of a model qgate cannot run yet. On the first seed only, the reference
// runs (its golden cached as usual: the inputs must fit the model, and the golden is there when the case is
// switched on) and so does `qgate run`; the case passes when qgate exits 2 with the one-line error
// `qgate: error: MESSAGE`, where MODEL in MESSAGE stands for the --model path and INPUT<i> for the i-th input
// file; when qgate runs the model, or refuses it otherwise, the case fails, saying so (the case is then due to
// be switched on, or its message updated).
// Exit status: 0 when every output of every seed has the golden shape and is within both bounds; 1 on a parity
// failure, a corrupt golden, or when either runtime fails; 2 on bad usage.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readNpy } from '../../reference/litert/npy.mjs';
import { parseInputShape, writeInputs, writeInputsForIo } from '../../reference/litert/inputs.mjs';
import { modelIo, readTflite } from '../../reference/litert/tflite_reader.mjs';
import { findNodeModules } from '../../reference/litert/litert_node.mjs';
import { withOutputs } from '../../reference/litert/tflite_outputs.mjs';
import { withInputShapes } from '../../reference/litert/tflite_input_shapes.mjs';
import { findPackageDir as interpreterDir } from '../../reference/tflite_interpreter/run_tflite.mjs';
import { findPackageDir as ortDir, sessionIo } from '../../reference/onnxruntime/run_ort.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');

// The reference runtimes: their runner script, npm package (its version keys the golden cache), extra
// arguments, and how the runner reports its time.
const RUNTIMES = {
  litert: {
    label: 'LiteRT',
    script: path.join(repo, 'reference', 'litert', 'run_litert.mjs'),
    pkg: '@litertjs/core',
    dir: () => path.join(findNodeModules(), '@litertjs', 'core'),
    args: (o) => ['--runs', String(o.runs)],
    time: /run median ([0-9.]+) ms/,
  },
  interpreter: {
    label: 'TFLite interpreter',
    script: path.join(repo, 'reference', 'tflite_interpreter', 'run_tflite.mjs'),
    pkg: '@tensorflow/tfjs-tflite',
    dir: interpreterDir,
    args: () => [], // exactly one Infer() on a fresh runner: recurrent state carries across Infer() calls
    time: /Infer median ([0-9.]+) ms/,
  },
  onnxruntime: {
    label: 'onnxruntime',
    script: path.join(repo, 'reference', 'onnxruntime', 'run_ort.mjs'),
    pkg: 'onnxruntime-node',
    dir: ortDir,
    args: (o) => ['--runs', String(o.runs), '--threads', '1'],
    time: /run median ([0-9.]+) ms/,
    onnx: true,
  },
};
// Guards NMSE against an all-zero golden output; small enough never to matter for a real signal.
const TINY_ENERGY = 1e-30;
// Ops whose output saturates, hiding errors of their input (--pre-saturation), and ops that only reshape, through
// which a graph output may still be a saturating op's.
const SATURATING_TFLITE = new Set(['LOGISTIC', 'SOFTMAX', 'LOG_SOFTMAX', 'TANH']);
const SHAPE_ONLY_TFLITE = new Set(['RESHAPE', 'SQUEEZE', 'EXPAND_DIMS']);
const ONNX_OUTPUTS = path.join(repo, 'reference', 'onnxruntime', 'onnx_outputs.py');

class Usage extends Error {}

function parseArgs(argv) {
  const o = {
    qgate: null, model: null, seeds: [1], tolerance: 1e-6, maxRel: undefined, probTolerance: 1e-5, cache: true,
    keep: false, runs: 3,
    qgateRepeat: 3, reference: 'litert', referenceModel: null, quantize: null, outputs: null, preSaturation: false,
    qgateArgs: [], intRange: undefined, shapes: {}, values: {}, expectRefusal: null,
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--qgate') o.qgate = value();
    else if (a === '--model') o.model = value();
    else if (a === '--seed' || a === '--seeds') o.seeds = value().split(',').map(Number);
    else if (a === '--tolerance') o.tolerance = Number(value());
    else if (a === '--max-rel') o.maxRel = Number(value());
    else if (a === '--prob-tolerance') o.probTolerance = Number(value());
    else if (a === '--pre-saturation') o.preSaturation = true;
    else if (a === '--runs') o.runs = Number(value());
    else if (a === '--qgate-repeat') o.qgateRepeat = Number(value());
    else if (a === '--reference') o.reference = value();
    else if (a === '--reference-model') o.referenceModel = value();
    else if (a === '--quantize') o.quantize = value();
    else if (a === '--outputs') o.outputs = value().split(',').filter(Boolean);
    else if (a === '--qgate-arg') o.qgateArgs.push(value());
    else if (a === '--int-range') o.intRange = Number(value());
    else if (a === '--input-shape') {
      const v = value();
      const parsed = parseInputShape(v);
      if (!parsed) throw new Usage(`--input-shape wants NAME:D0,D1,... with dimensions >= 0, got ${v}`);
      o.shapes[parsed[0]] = parsed[1];
    } else if (a === '--input-value') {
      const v = value();
      const at = v.lastIndexOf('=');
      if (at <= 0 || !Number.isFinite(Number(v.slice(at + 1)))) throw new Usage(`--input-value wants NAME=NUMBER, got ${v}`);
      o.values[v.slice(0, at)] = Number(v.slice(at + 1));
    } else if (a === '--expect-refusal') o.expectRefusal = value().replaceAll('%3B', ';'); // cases.txt's escape
    else if (a === '--no-cache') o.cache = false;
    else if (a === '--keep') o.keep = true;
    else throw new Usage(`unknown argument ${a}`);
  }
  if (!o.qgate || !o.model) throw new Usage('--qgate and --model are required');
  if (o.seeds.length === 0 || !o.seeds.every(Number.isInteger)) throw new Usage(`--seeds wants integers, got ${o.seeds}`);
  if (!(o.tolerance >= 0)) throw new Usage(`--tolerance wants a number >= 0, got ${o.tolerance}`);
  if (o.maxRel === undefined) o.maxRel = Math.sqrt(o.tolerance);
  if (!(o.maxRel >= 0)) throw new Usage(`--max-rel wants a number >= 0, got ${o.maxRel}`);
  if (!(o.probTolerance >= 0)) throw new Usage(`--prob-tolerance wants a number >= 0, got ${o.probTolerance}`);
  if (!(Number.isInteger(o.runs) && o.runs >= 1)) throw new Usage(`--runs wants an integer >= 1, got ${o.runs}`);
  if (!(Number.isInteger(o.qgateRepeat) && o.qgateRepeat >= 1)) {
    throw new Usage(`--qgate-repeat wants an integer >= 1, got ${o.qgateRepeat}`);
  }
  if (!RUNTIMES[o.reference]) {
    throw new Usage(`--reference wants ${Object.keys(RUNTIMES).join(', ')}, got ${o.reference}`);
  }
  const onnxModel = /\.onnx$/i.test(o.model);
  if (onnxModel !== Boolean(RUNTIMES[o.reference].onnx)) {
    throw new Usage(`--model ${o.model} needs --reference ${onnxModel ? 'onnxruntime' : 'litert or interpreter'}`);
  }
  if (onnxModel && o.quantize) throw new Usage('--quantize applies to .tflite models only');
  if (o.intRange !== undefined && !(Number.isInteger(o.intRange) && o.intRange >= 1)) {
    throw new Usage(`--int-range wants an integer >= 1, got ${o.intRange}`);
  }
  if (o.outputs && o.outputs.length === 0) throw new Usage('--outputs wants tensor names, got none');
  if (o.outputs && o.preSaturation) throw new Usage('--outputs and --pre-saturation exclude each other');
  for (const [flag, p] of [['--qgate', o.qgate], ['--model', o.model], ['--reference-model', o.referenceModel]]) {
    if (p !== null && !fs.existsSync(p)) throw new Usage(`${flag} ${p} does not exist`);
  }
  return o;
}

function sha256(...buffers) {
  const h = crypto.createHash('sha256');
  for (const b of buffers) h.update(b);
  return h.digest('hex');
}

// The version of the very package the runner script loads (same lookup order).
function runtimeVersion(rt) {
  return JSON.parse(fs.readFileSync(path.join(rt.dir(), 'package.json'), 'utf8')).version;
}

function lastLines(text, n) {
  return text.trim().split('\n').filter(Boolean).slice(-n).map((l) => `    ${l}`).join('\n');
}

// The runner script and every local module it imports, transitively (relative `from './x.mjs'` imports), in a
// fixed order: all of them decide what the golden holds.
function runnerFiles(script) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/^import[^;]*?from\s+'(\.{1,2}\/[^']+)'/gm)) {
      visit(path.resolve(path.dirname(file), m[1]));
    }
  };
  visit(script);
  return [...seen].sort();
}

// A cached golden's files must hold the bytes recorded when it was written; throws naming the first that
// does not.
function verifyGolden(dir, meta) {
  const files = meta.files ?? {};
  if (Object.keys(files).length === 0) throw new Error(`golden cache entry ${dir} lists no files in meta.json`);
  for (const [file, want] of Object.entries(files)) {
    const p = path.join(dir, file);
    const have = fs.existsSync(p) ? sha256(fs.readFileSync(p)) : 'absent';
    if (have !== want) {
      throw new Error(`golden cache entry ${dir} is corrupt: ${file} has sha256 ${have}, meta.json says ${want} ` +
                      '(delete the entry to recompute it)');
    }
  }
}

// Runs the reference unless a cached golden exists; returns {dir, ms, cached} or throws with its message.
// `ref` = {path, bytes} of the file the reference runs.
function golden(o, seed, ref, inputs, work) {
  const rt = RUNTIMES[o.reference];
  const runtimeId = `${rt.pkg} ${runtimeVersion(rt)}`;
  // The runner and its modules are part of the key: a runner fix (e.g. how often it invokes) changes the golden.
  const runner = runnerFiles(rt.script);
  const key = sha256(ref.bytes, ...inputs.map((x) => fs.readFileSync(x.path)), Buffer.from(runtimeId),
    ...runner.flatMap((f) => [Buffer.from(path.relative(repo, f)), fs.readFileSync(f)]));
  const cacheRoot = process.env.QGATE_GOLDEN_CACHE || path.join(repo, '.cache', 'golden');
  const cached = path.join(cacheRoot, key);
  const metaFile = path.join(cached, 'meta.json');
  if (o.cache && fs.existsSync(metaFile)) {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    verifyGolden(cached, meta);
    return { dir: cached, ms: meta.reference_ms, cached: true };
  }
  const dir = path.join(work, `reference_${seed}`);
  const r = spawnSync(process.execPath, [rt.script, ...rt.args(o), ref.path, dir, ...inputs.map((x) => x.path)],
    { encoding: 'utf8' });
  if (r.status !== 0) {
    // The runner's own message first, then the runtime's ERROR lines (its WARNING/INFO lines are noise here).
    const own = /^run_(litert|tflite|ort):/;
    const lines = r.stderr.split('\n');
    const why = [...lines.filter((l) => own.test(l)).slice(0, 1),
      ...lines.filter((l) => /ERROR/.test(l) && !own.test(l)).slice(-4)].map((l) => `    ${l.trim()}`).join('\n');
    throw new Error(`${rt.label} failed on ${ref.path} (exit ${r.status}):\n${why || lastLines(r.stderr, 6)}`);
  }
  const ms = Number(rt.time.exec(r.stderr)?.[1]);
  if (!o.cache) return { dir, ms, cached: false };
  // Publish atomically so a concurrent run never sees a half-written entry.
  fs.mkdirSync(cacheRoot, { recursive: true });
  const staging = fs.mkdtempSync(path.join(cacheRoot, `.tmp-${key.slice(0, 8)}-`));
  for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(staging, f));
  const files = Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, sha256(fs.readFileSync(path.join(dir, f)))]));
  fs.writeFileSync(path.join(staging, 'meta.json'), JSON.stringify({
    model: path.basename(ref.path), model_sha256: sha256(ref.bytes), seed,
    inputs: inputs.map(({ name, shape, dtype, range }) => ({ name, shape, dtype, range })),
    reference: runtimeId, runner: runner.map((f) => path.relative(repo, f)), reference_ms: ms, files,
  }, null, 1) + '\n');
  try {
    fs.renameSync(staging, cached);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another run published the same key first
  }
  return { dir: cached, ms, cached: false };
}

// Writes the dynamic-range file of o.model under o.quantize into work; returns its path.
function quantize(o, work) {
  const out = path.join(work, `${path.basename(o.model, '.tflite')}.${o.quantize}.tflite`);
  const args = ['quantize', o.model, '--scheme', o.quantize, '-o', out];
  const q = spawnSync(o.qgate, args, { encoding: 'utf8' });
  if (q.error) throw new Error(`cannot start ${o.qgate}: ${q.error.message}`);
  if (q.status !== 0) {
    throw new Error(`qgate quantize failed (exit ${q.status ?? q.signal}): ${o.qgate} ${args.join(' ')}\n${lastLines(q.stderr + q.stdout, 6)}`);
  }
  return out;
}

// [{name, saturated}]: the graph outputs of a .tflite (saturated: made by a saturating op, seen through
// shape-only ops), then the input of each saturating op found.
function tfliteOutputsWithPreSaturation(bytes, what) {
  const model = readTflite(bytes, what);
  const g = model.subgraphs[0];
  const producer = (t) => g.operators.find((x) => x.outputs.includes(t));
  const opName = (op) => model.opcodes[op.opcodeIndex].name;
  const outs = g.outputs.map((t) => ({ name: g.tensors[t].name, saturated: false }));
  for (const [k, t] of g.outputs.entries()) {
    let op = producer(t);
    while (op && SHAPE_ONLY_TFLITE.has(opName(op))) op = producer(op.inputs[0]);
    if (!op || !SATURATING_TFLITE.has(opName(op))) continue;
    outs[k].saturated = true;
    const input = g.tensors[op.inputs[0]].name;
    if (!outs.some((x) => x.name === input)) outs.push({ name: input, saturated: false });
  }
  return outs;
}

// {path, bytes, saturated} of `file`, or of its copy in work exposing o.outputs (or the pre-saturation tensors)
// as graph outputs; saturated[j] tells whether output j is a saturating op's (compared with --prob-tolerance).
function prepared(o, file, work, tag) {
  const bytes = new Uint8Array(fs.readFileSync(file));
  if (!o.outputs && !o.preSaturation) return { path: file, bytes, saturated: [] };
  const probe = path.join(work, `${tag}.${path.basename(file)}`);
  if (/\.onnx$/i.test(file)) {
    const args = [ONNX_OUTPUTS, file, probe, ...(o.outputs ? ['--names', o.outputs.join(',')] : []),
      ...(o.preSaturation ? ['--pre-saturation'] : [])];
    const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`onnx_outputs.py failed on ${file}: ${r.error?.message ?? ''}${lastLines(r.stderr, 4)}`);
    const saturated = r.stdout.trim().split('\n').map((l) => l.split('\t')[1] === 'saturated');
    return { path: probe, bytes: new Uint8Array(fs.readFileSync(probe)), saturated };
  }
  const outs = o.outputs ? o.outputs.map((name) => ({ name, saturated: false })) : tfliteOutputsWithPreSaturation(bytes, file);
  const patched = withOutputs(bytes, outs.map((x) => x.name), file);
  fs.writeFileSync(probe, patched);
  return { path: probe, bytes: patched, saturated: outs.map((x) => x.saturated) };
}

// NMSE, max |q - r|, and max |q - r| relative to max |r| (maxRel; 0 when both are all zero, Infinity when only
// the reference is).
function compare(q, r) {
  let err = 0;
  let energy = 0;
  let maxAbs = 0;
  let maxRef = 0;
  let nonFinite = 0;
  for (let i = 0; i < r.data.length; ++i) {
    const a = q.data[i];
    const b = r.data[i];
    if (!Number.isFinite(a) && !(Number.isNaN(a) && Number.isNaN(b)) && a !== b) ++nonFinite;
    const d = a - b;
    if (Number.isFinite(d)) {
      err += d * d;
      maxAbs = Math.max(maxAbs, Math.abs(d));
    }
    if (Number.isFinite(b)) {
      energy += b * b;
      maxRef = Math.max(maxRef, Math.abs(b));
    }
  }
  const nmse = nonFinite ? NaN : err / Math.max(energy, TINY_ENERGY);
  const maxRel = maxAbs === 0 ? 0 : maxRef === 0 ? Infinity : maxAbs / maxRef;
  return { nmse, maxAbs, maxRel, nonFinite };
}

// {io: {inputs, outputs}, inputs: written input files} for qgate's model and the reference's.
async function modelIos(o, qModel, ref) {
  if (RUNTIMES[o.reference].onnx) {
    const io = await sessionIo(qModel.path);
    return { io, refIo: ref === qModel ? io : await sessionIo(ref.path) };
  }
  return { io: modelIo(qModel.bytes, qModel.path), refIo: modelIo(ref.bytes, ref.path) };
}

// The seeded input files of one seed.
function modelInputs(o, seed, qModel, io, work) {
  const dir = path.join(work, `inputs_${seed}`);
  const opts = { intRange: o.intRange, shapes: o.shapes, values: o.values };
  if (RUNTIMES[o.reference].onnx) return writeInputsForIo(io.inputs, dir, seed, opts);
  return writeInputs(qModel.bytes, qModel.path, dir, seed, opts);
}

// The reference's copy of a .tflite with the --input-shape shapes written in (the reference cannot resize).
function withShapes(o, ref, work) {
  if (RUNTIMES[o.reference].onnx || Object.keys(o.shapes).length === 0) return ref;
  const bytes = withInputShapes(ref.bytes, o.shapes, ref.path);
  const file = path.join(work, `shaped.${path.basename(ref.path)}`);
  fs.writeFileSync(file, bytes);
  return { ...ref, path: file, bytes };
}

// --expect-refusal: `qgate run` on the first seed's inputs must exit 2 with exactly the recorded one-line error.
// qModel, ref, io as main prepares them for a parity run; qgate runs the --model file itself.
function refusal(o, qModel, ref, io, work) {
  const rt = RUNTIMES[o.reference];
  const seed = o.seeds[0];
  const inputs = modelInputs(o, seed, qModel, io, work);
  const g = golden(o, seed, ref, inputs, work);
  const args = ['run', o.model, ...inputs.flatMap((x) => ['--input', x.path]), '--output-dir', path.join(work, 'qgate'),
    ...o.qgateArgs];
  const q = spawnSync(o.qgate, args, { encoding: 'utf8' });
  if (q.error) throw new Error(`cannot start ${o.qgate}: ${q.error.message}`);
  let said = (q.stderr.split('\n').find((l) => l.startsWith('qgate: error: ')) ?? '').slice('qgate: error: '.length);
  said = said.split(o.model).join('MODEL');
  inputs.forEach((x, i) => { said = said.split(x.path).join(`INPUT${i}`); });
  const name = path.basename(o.model);
  console.log(`refusal ${name}: seed ${seed}: inputs ${inputs.map((x) => `${x.name} ${x.dtype}(${x.shape})`).join(', ')}`);
  console.log(`  time: ${rt.label} ${Number.isFinite(g.ms) ? g.ms.toFixed(3) : '?'} ms/run median${g.cached ? ' (cached golden)' : ''}`);
  if (q.status === 0) {
    console.log(`FAIL ${name}: qgate now runs this model (exit 0): switch its case on`);
    return 1;
  }
  if (q.status !== 2 || said !== o.expectRefusal) {
    console.log(`FAIL ${name}: qgate exit ${q.status ?? q.signal}, said:\n  ${said || lastLines(q.stderr, 4)}\nexpected exit 2 and:\n  ${o.expectRefusal}`);
    return 1;
  }
  console.log(`  qgate: error: ${said}\nPASS ${name}: refused as recorded`);
  return 0;
}

// One seed: inputs, golden, `qgate run`, comparison. Prints one line per output; returns whether all passed.
function paritySeed(o, seed, qModel, ref, io, work) {
  const rt = RUNTIMES[o.reference];
  const name = path.basename(o.model);
  const inputs = modelInputs(o, seed, qModel, io, work);
  const desc = inputs.map((x) => `${x.name} ${x.dtype}(${x.shape}) in [${x.range}]`).join(', ');
  console.log(`seed ${seed}: inputs ${desc}`);
  const g = golden(o, seed, ref, inputs, work);

  const qdir = path.join(work, `qgate_${seed}`);
  const qargs = ['run', qModel.path, ...inputs.flatMap((x) => ['--input', x.path]), '--output-dir', qdir, ...o.qgateArgs];
  // qgate's --repeat prints its own median run time, the figure comparable with the reference's.
  if (o.qgateRepeat > 1) qargs.push('--repeat', String(o.qgateRepeat));
  const t0 = process.hrtime.bigint();
  const q = spawnSync(o.qgate, qargs, { encoding: 'utf8' });
  const qms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (q.error) throw new Error(`cannot start ${o.qgate}: ${q.error.message}`);
  if (q.status !== 0) {
    throw new Error(`qgate run failed on ${name} (exit ${q.status ?? q.signal}): ${o.qgate} ${qargs.join(' ')}\n${lastLines(q.stderr + q.stdout, 6)}`);
  }

  let ok = true;
  let compared = 0;
  for (let j = 0; j < io.outputs.length; ++j) {
    const file = `out_${j}.npy`;
    const r = readNpy(path.join(g.dir, file));
    const qfile = path.join(qdir, file);
    if (!fs.existsSync(qfile)) {
      console.log(`  out_${j} (${r.shape}) MISSING: qgate wrote no ${file}`);
      ok = false;
      continue;
    }
    const qa = readNpy(qfile);
    if (qa.dtype !== 'float32') {
      console.log(`  out_${j} (${r.shape}) FAIL: qgate wrote ${qa.dtype}, the contract is float32`);
      ok = false;
      continue;
    }
    if (qa.shape.length !== r.shape.length || qa.shape.some((v, k) => v !== r.shape[k])) {
      console.log(`  out_${j} FAIL: qgate shape (${qa.shape}) != ${rt.label} shape (${r.shape})`);
      ok = false;
      continue;
    }
    const c = compare(qa, r);
    // Bit-exact (tolerance 0) also demands max |q - r| == 0, so an all-zero golden cannot hide a difference. A
    // saturated output (a probability next to its logits) is held to an absolute bound: its relative error
    // grows without meaning where the values are tiny, and its logits carry the relative check.
    const saturated = qModel.saturated[j] === true;
    const pass = o.tolerance === 0 ? c.nmse === 0 && c.maxAbs === 0
      : saturated ? c.nonFinite === 0 && c.maxAbs <= o.probTolerance
        : c.nmse <= o.tolerance && c.maxRel <= o.maxRel;
    ok &&= pass;
    ++compared;
    const extra = (c.nonFinite ? ` (${c.nonFinite} non-finite values where ${rt.label} has none)` : '') +
      (saturated && o.tolerance !== 0 ? ` (saturated: max abs <= ${o.probTolerance.toExponential()})` : '');
    console.log(`  out_${j} ${io.outputs[j].name} (${r.shape}) NMSE ${c.nmse.toExponential(3)} maxabs ` +
                `${c.maxAbs.toExponential(3)} maxrel ${c.maxRel.toExponential(3)} ${pass ? 'ok' : 'FAIL'}${extra}`);
  }
  if (compared === 0) {
    console.log('  FAIL: no output was compared');
    ok = false;
  }
  const extraOut = fs.existsSync(qdir) ? fs.readdirSync(qdir).filter((f) => /^out_\d+\.npy$/.test(f)).length : 0;
  if (extraOut > io.outputs.length) {
    console.log(`  FAIL: qgate wrote ${extraOut} outputs, the model has ${io.outputs.length}`);
    ok = false;
  }
  const refTime = `${Number.isFinite(g.ms) ? g.ms.toFixed(3) : '?'} ms/run median${g.cached ? ' (cached golden)' : ''}`;
  console.log(`  time: qgate ${qms.toFixed(1)} ms wall (process incl. load), ${rt.label} ${refTime}`);
  const qtime = (q.stderr + q.stdout).split('\n').filter((l) => /\bms\b/.test(l));
  for (const l of qtime.slice(0, 3)) console.log(`    qgate: ${l.trim()}`);
  return ok;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qgate-parity-'));
  const name = path.basename(o.model);
  const rt = RUNTIMES[o.reference];
  try {
    const qModel = prepared(o, o.quantize ? quantize(o, work) : o.model, work, 'qgate');
    const ref = withShapes(o, o.referenceModel ? prepared(o, o.referenceModel, work, 'reference') : qModel, work);
    const { io, refIo } = await modelIos(o, qModel, ref);
    if (refIo.outputs.length !== io.outputs.length) {
      throw new Error(`${ref.path} has ${refIo.outputs.length} outputs, ${qModel.path} has ${io.outputs.length}`);
    }
    if (o.expectRefusal !== null) return refusal(o, qModel, ref, io, work);
    const what = [o.quantize && `quantized ${o.quantize}`, o.referenceModel && `reference model ${path.basename(o.referenceModel)}`,
      (o.outputs || o.preSaturation) && `outputs ${io.outputs.map((x) => x.name).join(',')}`,
      o.qgateArgs.length && `qgate ${o.qgateArgs.join(' ')}`].filter(Boolean);
    const bound = o.tolerance === 0 ? '0 (bit-exact)' : `NMSE ${o.tolerance}, max |q - r| ${o.maxRel.toExponential()} * max |r|`;
    console.log(`parity ${name} vs ${rt.label}${what.length ? ` (${what.join('; ')})` : ''}: seeds ${o.seeds.join(',')}, ` +
                `tolerance ${bound}`);
    let ok = true;
    for (const seed of o.seeds) ok = paritySeed(o, seed, qModel, ref, io, work) && ok;
    console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${o.tolerance === 0 ? 'not bit-exact' : 'above the tolerance'} or shape mismatch`);
    return ok ? 0 : 1;
  } finally {
    if (o.keep) console.log(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (e) {
  if (e instanceof Usage) {
    console.error(`parity: ${e.message}\nusage: parity.mjs --qgate BUILD/qgate --model M.tflite|M.onnx [--reference litert|interpreter|onnxruntime] ` +
                  '[--quantize SCHEME] [--reference-model M2.tflite] [--outputs NAME1,NAME2] [--pre-saturation] ' +
                  '[--qgate-arg ARG ...] [--int-range V] [--input-shape NAME:D0,D1,... ...] [--input-value NAME=V ...] ' +
                  '[--seeds 1,2,3] [--tolerance 1e-6] [--max-rel R] [--prob-tolerance P] [--no-cache] ' +
                  '[--keep] [--runs N] [--qgate-repeat N] [--expect-refusal MESSAGE]');
    process.exitCode = 2;
  } else {
    console.error(`parity: FAIL ${e.message}`);
    process.exitCode = 1;
  }
}
