// Runs a .tflite model in the TFLite interpreter of @tensorflow/tfjs-tflite (an older TFLite build, wasm,
// XNNPACK delegate on CPU) with the same command line and outputs as run_litert.mjs:
//
//   node run_tfjs_tflite.mjs [--runs N] MODEL.tflite OUTDIR IN0.npy [IN1.npy ...]
//
// A second, independent reference: it also runs RNN/LSTM models, which LiteRT.js cannot load.
// Exit status: 0 ok, 1 the interpreter failed, 2 bad usage or input.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { readNpy, writeNpy, elementCount } from './npy.mjs';
import { findNodeModules } from './litert_node.mjs';

const realStderr = process.stderr.write.bind(process.stderr);
const log = [];
class UsageError extends Error {}

async function main() {
  const args = process.argv.slice(2);
  let runs = 5;
  const files = [];
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--runs') runs = Number(args[++i]);
    else files.push(args[i]);
  }
  if (files.length < 3 || !(Number.isInteger(runs) && runs >= 1)) {
    throw new UsageError('usage: run_tfjs_tflite.mjs [--runs N] MODEL.tflite OUTDIR IN0.npy [IN1.npy ...]');
  }
  const [modelPath, outDir, ...inputPaths] = files;
  const bytes = fs.readFileSync(modelPath);
  const arrays = inputPaths.map((p) => {
    try { return readNpy(p); } catch (e) { throw new UsageError(e.message); }
  });

  // The Emscripten glue prints through console; keep it out of our stderr unless something fails.
  for (const k of ['log', 'info', 'warn', 'error', 'debug']) console[k] = (...a) => log.push(a.join(' '));
  const dir = path.join(findNodeModules(), '@tensorflow', 'tfjs-tflite', 'wasm');
  vm.runInThisContext(fs.readFileSync(path.join(dir, 'tflite_web_api_cc_simd.js'), 'utf8'));
  const M = await globalThis.tflite_web_api_ModuleFactory({
    wasmBinary: fs.readFileSync(path.join(dir, 'tflite_web_api_cc_simd.wasm')) });
  const ptr = M._malloc(bytes.length);
  M.HEAPU8.set(bytes, ptr);
  const status = M.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length,
    { numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024 });
  if (!status.ok()) throw new Error(`tfjs-tflite could not load ${modelPath}: ${status.errorMessage()}`);
  const runner = status.value();
  const ins = runner.GetInputs();
  if (ins.size() !== arrays.length) {
    throw new UsageError(`${modelPath} has ${ins.size()} input(s), got ${arrays.length} .npy file(s)`);
  }
  arrays.forEach((a, i) => {
    const t = ins.get(i);
    const want = String(t.shape).split(',').map(Number);
    if (a.shape.join(',') !== want.join(',')) {
      throw new UsageError(`input ${i} (${t.name}): ${inputPaths[i]} has shape (${a.shape}), model wants (${want})`);
    }
    if (a.dtype !== t.dataType) throw new UsageError(`input ${i} (${t.name}): ${inputPaths[i]} is ${a.dtype}, model wants ${t.dataType}`);
    t.data().set(a.data);
  });
  if (!runner.Infer()) throw new Error(`tfjs-tflite Infer() failed on ${modelPath}: ${log.slice(-3).join(' | ')}`);
  const times = [];
  for (let r = 0; r < runs; ++r) {
    const t0 = process.hrtime.bigint();
    runner.Infer();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  fs.mkdirSync(outDir, { recursive: true });
  const outs = runner.GetOutputs();
  for (let j = 0; j < outs.size(); ++j) {
    const t = outs.get(j);
    const shape = String(t.shape).split(',').filter((s) => s !== '').map(Number);
    const data = Float32Array.from(t.data(), Number);
    if (data.length !== elementCount(shape)) throw new Error(`output ${j}: ${data.length} values for shape (${shape})`);
    writeNpy(path.join(outDir, `out_${j}.npy`), { dtype: 'float32', shape, data });
  }
  realStderr(`tfjs-tflite: ${path.basename(modelPath)}: ${outs.size()} output(s); run median ${times[Math.floor(times.length / 2)].toFixed(3)} ms over ${runs} run(s) after 1 warm-up\n`);
}

main().then(() => process.exit(0), (e) => {
  realStderr(`run_tfjs_tflite: ${e.message}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
