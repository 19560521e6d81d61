// Runs a .tflite model in LiteRT.js (wasm, CPU, XNNPACK) on .npy inputs and writes its outputs as .npy.
//
//   node run_litert.mjs [--runs N] [--samples] [--verbose] MODEL.tflite OUTDIR IN0.npy [IN1.npy ...]
//
// IN<i> feeds the model's i-th graph input (the main subgraph's input order in the file). OUTDIR/out_<j>.npy
// is the model's j-th graph output, float32 with the output's shape. The median run time of N runs after
// one warm-up goes to stderr.
// --samples: each input file is [N, ...], one sample per model input of batch 1 ([N, d1..] or [N, 1, d1..]); the
// compiled model runs once per sample and out_<j>.npy stacks the results as [N, ...] (no timing runs).
// Exit status: 0 ok, 1 LiteRT failed to load, prepare or run the model, 2 bad usage or input.
// LiteRT's run() does not throw when an op fails to prepare or invoke: it logs "failed to ..." and returns
// garbage, so every LiteRT log line is captured and scanned.
import fs from 'node:fs';
import path from 'node:path';
import { loadLiteRtNode } from './litert_node.mjs';
import { readNpy, writeNpy, elementCount } from './npy.mjs';
import { modelIo } from './tflite_reader.mjs';

const realStderr = process.stderr.write.bind(process.stderr);
const log = [];

// Route everything LiteRT (and its Emscripten glue) prints into `log`; must run before the glue loads
// because the glue binds console.log / console.error when it is created.
function captureOutput() {
  const keep = (...args) => {
    log.push(args.map((a) => (a instanceof Error ? a.stack : String(a))).join(' '));
  };
  for (const k of ['log', 'info', 'warn', 'error', 'debug']) console[k] = keep;
  process.stdout.write = (chunk) => { log.push(String(chunk).replace(/\n$/, '')); return true; };
  process.stderr.write = (chunk) => { log.push(String(chunk).replace(/\n$/, '')); return true; };
}

class UsageError extends Error {}
class RuntimeFailure extends Error {}

function failuresSince(mark) {
  return log.slice(mark).filter((line) => /failed to|error:/i.test(line) && !/WebGPU|navigator/.test(line));
}

function parseArgs(argv) {
  const opts = { runs: 5, verbose: false, samples: false, files: [] };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--runs') opts.runs = Number(argv[++i]);
    else if (argv[i] === '--samples') opts.samples = true;
    else if (argv[i] === '--verbose') opts.verbose = true;
    else if (argv[i].startsWith('--')) throw new UsageError(`unknown option ${argv[i]}`);
    else opts.files.push(argv[i]);
  }
  if (opts.files.length < 3) {
    throw new UsageError('usage: run_litert.mjs [--runs N] [--samples] [--verbose] MODEL.tflite OUTDIR IN0.npy [IN1.npy ...]');
  }
  if (!(Number.isInteger(opts.runs) && opts.runs >= 1)) throw new UsageError('--runs wants an integer >= 1');
  return opts;
}

const TYPED = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array };

function toFloat32(data) {
  return data instanceof Float32Array ? data : Float32Array.from(data, Number);
}

async function runAll(model, tensors) {
  const outs = await model.run(tensors);
  const result = [];
  for (const t of outs) {
    result.push({ shape: Array.from(t.type.layout.dimensions), data: new (t.toTypedArray().constructor)(t.toTypedArray()) });
    t.delete();
  }
  return result;
}

// --samples: every sample of the stacked inputs through the compiled model, outputs stacked in file order.
async function runSamples(core, model, arrays, inDetails, inMap, outMap, inputPaths, outDir) {
  let n = -1;
  arrays.forEach((a, i) => {
    const want = Array.from(inDetails[inMap[i]].shape);
    const per = elementCount(want);
    const rest = a.shape.slice(1);
    const same = (x, y) => x.length === y.length && x.every((d, k) => d === y[k]);
    if (want[0] !== 1 || !(same(rest, want) || same(rest, want.slice(1))) || a.dtype !== inDetails[inMap[i]].dtype) {
      throw new UsageError(`${inputPaths[i]}: ${a.dtype} [${a.shape}] is not [N, ${want.slice(1)}] of ` +
                           `${inDetails[inMap[i]].dtype} (--samples needs batch-1 inputs)`);
    }
    if (n >= 0 && a.shape[0] !== n) throw new UsageError(`input files disagree on N: ${n} and ${a.shape[0]}`);
    n = a.shape[0];
    if (elementCount(a.shape) !== n * per) throw new UsageError(`${inputPaths[i]}: element count mismatch`);
  });
  const stacked = outMap.map(() => null);
  for (let s = 0; s < n; ++s) {
    const mark = log.length;
    const tensors = new Array(arrays.length);
    arrays.forEach((a, i) => {
      const want = Array.from(inDetails[inMap[i]].shape);
      const per = elementCount(want);
      tensors[inMap[i]] = new core.Tensor(a.data.slice(s * per, (s + 1) * per), want);
    });
    const outs = await runAll(model, tensors);
    for (const t of tensors) t.delete();
    const failed = failuresSince(mark);
    if (failed.length) throw new RuntimeFailure(`LiteRT failed on sample ${s}: ${failed[0]}`);
    outMap.forEach((k, j) => {
      const o = outs[k];
      if (!stacked[j]) stacked[j] = { shape: o.shape, data: new Float32Array(n * o.data.length) };
      stacked[j].data.set(toFloat32(o.data), s * o.data.length);
    });
  }
  fs.mkdirSync(outDir, { recursive: true });
  stacked.forEach((o, j) => {
    const shape = [n, ...(o.shape[0] === 1 ? o.shape.slice(1) : o.shape)];
    writeNpy(path.join(outDir, `out_${j}.npy`), { dtype: 'float32', shape, data: o.data });
  });
  realStderr(`litert: ${n} sample(s) through ${outMap.length} output(s)\n`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const [modelPath, outDir, ...inputPaths] = opts.files;
  let bytes;
  try {
    bytes = new Uint8Array(fs.readFileSync(modelPath));
  } catch (e) {
    throw new UsageError(`cannot read model ${modelPath}: ${e.message}`);
  }
  let io;
  try {
    io = modelIo(bytes, modelPath);
  } catch (e) {
    throw new UsageError(e.message);
  }
  if (inputPaths.length !== io.inputs.length) {
    throw new UsageError(`${modelPath} has ${io.inputs.length} input(s) (${io.inputs.map((t) => t.name).join(', ')}), got ${inputPaths.length} .npy file(s)`);
  }
  const arrays = inputPaths.map((p) => {
    try {
      return readNpy(p);
    } catch (e) {
      throw new UsageError(e.message);
    }
  });

  captureOutput();
  const core = await loadLiteRtNode();
  let mark = log.length;
  let model;
  try {
    model = await core.loadAndCompile(bytes, { accelerator: 'wasm' });
  } catch (e) {
    throw new RuntimeFailure(`LiteRT could not load ${modelPath}: ${e.message}`);
  }
  let failed = failuresSince(mark);
  if (failed.length) throw new RuntimeFailure(`LiteRT could not prepare ${modelPath}: ${failed[0]}`);

  // Match graph inputs/outputs (file order) to LiteRT's signature by name; models without a SignatureDef get
  // a default signature named after the tensors. Fall back to position when the names differ.
  const inDetails = model.getInputDetails();
  const outDetails = model.getOutputDetails();
  const byName = (details, name) => details.findIndex((d) => d.name === name);
  const inMap = io.inputs.every((t) => byName(inDetails, t.name) >= 0)
    ? io.inputs.map((t) => byName(inDetails, t.name)) : io.inputs.map((_, i) => i);
  const outMap = io.outputs.every((t) => byName(outDetails, t.name) >= 0)
    ? io.outputs.map((t) => byName(outDetails, t.name)) : io.outputs.map((_, i) => i);
  if (inDetails.length !== io.inputs.length || outDetails.length !== io.outputs.length) {
    throw new RuntimeFailure(`LiteRT sees ${inDetails.length} inputs / ${outDetails.length} outputs, the file has ${io.inputs.length} / ${io.outputs.length}`);
  }

  if (opts.samples) {
    await runSamples(core, model, arrays, inDetails, inMap, outMap, inputPaths, outDir);
    model.delete();
    return;
  }
  const tensors = new Array(inDetails.length);
  arrays.forEach((a, i) => {
    const d = inDetails[inMap[i]];
    const want = Array.from(d.shape);
    if (a.shape.length !== want.length || a.shape.some((v, k) => v !== want[k])) {
      throw new UsageError(`input ${i} (${d.name}): ${inputPaths[i]} has shape (${a.shape}), model wants (${want})`);
    }
    if (a.dtype !== d.dtype) {
      throw new UsageError(`input ${i} (${d.name}): ${inputPaths[i]} is ${a.dtype}, model wants ${d.dtype}`);
    }
    if (!TYPED[d.dtype]) throw new UsageError(`input ${i} (${d.name}): LiteRT.js cannot feed dtype ${d.dtype}`);
    tensors[inMap[i]] = new core.Tensor(a.data, want);
  });

  // One warm-up run (its outputs are kept: every run computes the same thing), then timed runs.
  mark = log.length;
  let outputs;
  try {
    outputs = await runAll(model, tensors);
  } catch (e) {
    throw new RuntimeFailure(`LiteRT failed running ${modelPath}: ${e.message}`);
  }
  failed = failuresSince(mark);
  if (failed.length) throw new RuntimeFailure(`LiteRT failed running ${modelPath}: ${failed[0]}`);
  const times = [];
  for (let r = 0; r < opts.runs; ++r) {
    const t0 = process.hrtime.bigint();
    await runAll(model, tensors);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  failed = failuresSince(mark);
  if (failed.length) throw new RuntimeFailure(`LiteRT failed running ${modelPath}: ${failed[0]}`);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];

  fs.mkdirSync(outDir, { recursive: true });
  outMap.forEach((k, j) => {
    const o = outputs[k];
    if (elementCount(o.shape) !== o.data.length) {
      throw new RuntimeFailure(`output ${j}: LiteRT returned ${o.data.length} values for shape (${o.shape})`);
    }
    writeNpy(path.join(outDir, `out_${j}.npy`), { dtype: 'float32', shape: o.shape, data: toFloat32(o.data) });
  });
  for (const t of tensors) t.delete();
  model.delete();
  if (opts.verbose) realStderr(log.join('\n') + '\n');
  const shapes = outMap.map((k) => `(${outputs[k].shape})`).join(' ');
  realStderr(`litert: ${path.basename(modelPath)}: ${outputs.length} output(s) ${shapes}; run median ${median.toFixed(3)} ms over ${opts.runs} run(s) after 1 warm-up\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    if (e instanceof UsageError) {
      realStderr(`run_litert: ${e.message}\n`);
      process.exit(2);
    }
    realStderr(`run_litert: ${e instanceof RuntimeFailure ? e.message : e.stack}\n`);
    const tail = log.filter((l) => !/^INFO:|WebGPU|navigator/.test(l)).slice(-8);
    if (tail.length) realStderr(`run_litert: last LiteRT log lines:\n  ${tail.join('\n  ')}\n`);
    process.exit(1);
  });
