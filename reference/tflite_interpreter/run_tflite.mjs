// Runs a .tflite model in the TFLite interpreter of npm @tensorflow/tfjs-tflite (an older TFLite build compiled
// to wasm, builtin CPU kernels, no delegate) on .npy inputs and writes its outputs as .npy. Unlike LiteRT.js it
// loads models with variable tensors, so it runs RNN, sequence RNN and LSTM models (float and hybrid).
//
//   node run_tflite.mjs [--samples] [--verbose] MODEL.tflite OUTDIR IN0.npy [IN1.npy ...]
//
// IN<i> feeds the model's i-th graph input; OUTDIR/out_<j>.npy is the model's j-th graph output with the
// output's shape (float32 for float outputs, the output's own dtype otherwise).
// --samples: the leading dimension of every input file counts samples: each file is [N, ...] where one sample
//   fills the model input (the model's batch dimension must be 1; [N, d1..] or [N, 1, d1..] both accepted).
//   The model runs once per sample in this one process and out_<j>.npy stacks the results as [N, ...].
//   Variable tensors (RNN/LSTM state) are reset before every sample, so each sample starts from zero state
//   exactly as a freshly loaded model does.
// The median Infer() time over the samples goes to stderr ("Infer median X ms"); each Infer() runs on a fresh
// runner, so it includes the interpreter's first-invoke work, unlike run_litert's warmed-up median.
// Exit status: 0 ok, 1 the interpreter failed to load or run the model, 2 bad usage or input.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readNpy, writeNpy, elementCount } from './npy.mjs';

class UsageError extends Error {}
class RuntimeFailure extends Error {}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PACKAGE = '@tensorflow/tfjs-tflite';

// $QGATE_NODE_MODULES first (as reference/litert does), then the repository's own node_modules (scripts/setup).
// Exported so callers can read the version of the package in use.
export function findPackageDir() {
  return path.dirname(findWasmDir());
}

function findWasmDir() {
  const candidates = [
    process.env.QGATE_NODE_MODULES && path.join(process.env.QGATE_NODE_MODULES, PACKAGE, 'wasm'),
    path.resolve(HERE, '../../node_modules', PACKAGE, 'wasm'),
  ].filter(Boolean);
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'tflite_web_api_cc_simd.wasm'))) return dir;
  }
  throw new RuntimeFailure(`cannot find ${PACKAGE}/wasm in ${candidates.join(' or ')} (run npm install)`);
}

// Loads the single-threaded SIMD build. Its Emscripten glue detects Node and wants require/__dirname.
async function loadModule() {
  const dir = findWasmDir();
  globalThis.require ??= createRequire(path.join(dir, 'x.js'));
  globalThis.__dirname ??= dir;
  const glue = path.join(dir, 'tflite_web_api_cc_simd.js');
  vm.runInThisContext(fs.readFileSync(glue, 'utf8'), { filename: glue });
  const factory = globalThis.tflite_web_api_ModuleFactory;
  if (typeof factory !== 'function') throw new RuntimeFailure(`${glue} did not define tflite_web_api_ModuleFactory`);
  return factory({ wasmBinary: fs.readFileSync(path.join(dir, 'tflite_web_api_cc_simd.wasm')) });
}

// The model bytes stay in the wasm heap for the runner's lifetime (the interpreter reads weights in place).
function createRunner(mod, modelPtr, modelLength) {
  const status = mod.TFLiteWebModelRunner.CreateFromBufferAndOptions(modelPtr, modelLength, {
    numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024,
  });
  if (!status.ok()) throw new RuntimeFailure(`TFLite interpreter rejected the model: ${status.errorMessage()}`);
  return status.value();
}

function tensorInfos(vec) {
  const out = [];
  for (let i = 0; i < vec.size(); ++i) {
    const t = vec.get(i);
    out.push({
      t, name: t.name, dtype: t.dataType,
      shape: t.shape.split(',').filter((s) => s.length > 0).map(Number),
    });
  }
  return out;
}

function parseArgs(argv) {
  const opts = { samples: false, verbose: false, files: [] };
  for (const a of argv) {
    if (a === '--samples') opts.samples = true;
    else if (a === '--verbose') opts.verbose = true;
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else opts.files.push(a);
  }
  if (opts.files.length < 3) {
    throw new UsageError('usage: run_tflite.mjs [--samples] [--verbose] MODEL.tflite OUTDIR IN0.npy [IN1.npy ...]');
  }
  return opts;
}

const SAME_SHAPE = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);

// Number of samples in `arr` for a model input of shape `shape` (batch 1), or a UsageError.
function sampleCount(arr, shape, what) {
  const per = elementCount(shape);
  const n = arr.shape[0];
  const rest = arr.shape.slice(1);
  const fits = SAME_SHAPE(rest, shape) || SAME_SHAPE(rest, shape.slice(1));
  if (arr.shape.length === 0 || !fits || elementCount(arr.shape) !== n * per || shape[0] !== 1) {
    throw new UsageError(`${what}: shape [${arr.shape}] is not [N, ${shape.slice(1)}] or [N, ${shape}] ` +
                         `for model input [${shape}] (--samples needs batch 1)`);
  }
  return n;
}

function checkDtype(arr, info, what) {
  const isFloat = (d) => d === 'float32' || d === 'float64';
  if (isFloat(info.dtype) !== isFloat(arr.dtype)) {
    throw new UsageError(`${what}: ${arr.dtype} data for model input '${info.name}' of type ${info.dtype}`);
  }
}

function setInput(info, data) {
  const view = info.t.data();
  if (view.length !== data.length) {
    throw new UsageError(`input '${info.name}' wants ${view.length} elements, got ${data.length}`);
  }
  if (data instanceof BigInt64Array) view.set(Array.from(data, Number));
  else view.set(data);
}

const OUT_DTYPE = { float32: 'float32', float64: 'float32', int32: 'int32', int8: 'int8', uint8: 'uint8',
                    int16: 'int16', int64: 'int64', bool: 'bool' };

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const [modelPath, outDir, ...inputPaths] = opts.files;
  if (!fs.existsSync(modelPath)) throw new UsageError(`${modelPath}: no such file`);
  const inputs = inputPaths.map((p) => {
    try { return readNpy(p); } catch (e) { throw new UsageError(e.message); }
  });
  const modelBytes = fs.readFileSync(modelPath);

  const mod = await loadModule();
  const ptr = mod._malloc(modelBytes.length);
  mod.HEAPU8.set(modelBytes, ptr);
  let runner = createRunner(mod, ptr, modelBytes.length);
  let ins = tensorInfos(runner.GetInputs());
  let outs = tensorInfos(runner.GetOutputs());
  if (ins.length !== inputs.length) {
    throw new UsageError(`model has ${ins.length} inputs (${ins.map((i) => `${i.name}[${i.shape}] ${i.dtype}`)}), ` +
                         `got ${inputs.length} files`);
  }
  inputs.forEach((arr, i) => checkDtype(arr, ins[i], inputPaths[i]));
  if (opts.verbose) {
    for (const i of ins) process.stderr.write(`input  ${i.name} [${i.shape}] ${i.dtype}\n`);
    for (const o of outs) process.stderr.write(`output ${o.name} [${o.shape}] ${o.dtype}\n`);
  }

  let n = 1;
  if (opts.samples) {
    const counts = inputs.map((arr, i) => sampleCount(arr, ins[i].shape, inputPaths[i]));
    if (!counts.every((c) => c === counts[0])) throw new UsageError(`input files disagree on N: ${counts}`);
    n = counts[0];
  } else {
    inputs.forEach((arr, i) => {
      if (elementCount(arr.shape) !== elementCount(ins[i].shape)) {
        throw new UsageError(`${inputPaths[i]}: shape [${arr.shape}] does not fill model input ` +
                             `'${ins[i].name}' [${ins[i].shape}]`);
      }
    });
  }

  const results = outs.map((o) => {
    const per = elementCount(o.shape);
    const dtype = OUT_DTYPE[o.dtype];
    if (!dtype) throw new RuntimeFailure(`output '${o.name}' has unsupported type ${o.dtype}`);
    const T = { float32: Float32Array, int32: Int32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
                int64: BigInt64Array, bool: Uint8Array }[dtype];
    return { dtype, per, data: new T(per * n) };
  });
  const times = [];
  for (let s = 0; s < n; ++s) {
    if (s > 0) {
      // A fresh runner starts with zeroed variable tensors (the builtin RNN/LSTM kernels keep their state in
      // them across Invoke calls); the weights are read in place from the same heap copy of the model.
      runner.delete();
      // The runner copies the model at creation (zeroing our heap copy does not change its results); this
      // guard fails loudly should a build ever free or scribble over the buffer we hand it.
      if (Buffer.compare(mod.HEAPU8.subarray(ptr, ptr + modelBytes.length), modelBytes) !== 0) {
        throw new RuntimeFailure('the model bytes in the wasm heap changed between runs');
      }
      runner = createRunner(mod, ptr, modelBytes.length);
      ins = tensorInfos(runner.GetInputs());
      outs = tensorInfos(runner.GetOutputs());
    }
    inputs.forEach((arr, i) => {
      const per = elementCount(ins[i].shape);
      setInput(ins[i], arr.data.subarray(s * per, (s + 1) * per));
    });
    const t0 = process.hrtime.bigint();
    if (!runner.Infer()) throw new RuntimeFailure(`Infer() failed on sample ${s}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    outs.forEach((o, j) => {
      const src = o.t.data();
      const r = results[j];
      if (r.data instanceof BigInt64Array) r.data.set(Array.from(src, BigInt), s * r.per);
      else r.data.set(src, s * r.per);
    });
  }

  fs.mkdirSync(outDir, { recursive: true });
  outs.forEach((o, j) => {
    const shape = opts.samples ? [n, ...(o.shape[0] === 1 ? o.shape.slice(1) : o.shape)] : o.shape;
    writeNpy(path.join(outDir, `out_${j}.npy`), { dtype: results[j].dtype, shape, data: results[j].data });
  });
  times.sort((a, b) => a - b);
  process.stderr.write(`run_tflite: ${path.basename(modelPath)}: ${n} sample(s), Infer median ` +
                       `${times[Math.floor(n / 2)].toFixed(3)} ms\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`run_tflite: ${e.message}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
