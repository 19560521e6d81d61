// Runs an ONNX model with onnxruntime-node (npm) and writes its outputs as .npy: the golden side of qgate's
// onnxruntime parity tests.
//
// Usage: node run_ort.mjs MODEL.onnx OUT_DIR [--threads N] [--graph-optimization all|disabled]
//                        [--optimized-model PATH] IN0.npy [IN1.npy ...]
// --optimized-model also writes the graph onnxruntime runs after its optimizer (e.g. fused com.microsoft ops).
// Inputs bind to the model's inputs in order; outputs are written OUT_DIR/output_<i>.npy (float32, int32, uint8,
// int8, int64 as the model returns them). Exit 0 on success, 2 on bad usage or input, 3 when onnxruntime fails.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ort = require(path.join(process.cwd(), 'node_modules', 'onnxruntime-node'));

const NPY_TYPES = {
  '<f4': ['float32', Float32Array], '<i4': ['int32', Int32Array], '<i8': ['int64', BigInt64Array],
  '|u1': ['uint8', Uint8Array], '|i1': ['int8', Int8Array], '<u1': ['uint8', Uint8Array], '<i1': ['int8', Int8Array],
};

function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = b[6];
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = b.toString('latin1', hstart, hstart + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: fortran_order arrays are not supported`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const t = NPY_TYPES[descr];
  if (!t) throw new Error(`${file}: dtype ${descr} is not supported`);
  const start = hstart + hlen;
  const count = shape.reduce((a, c) => a * c, 1);
  const copy = b.buffer.slice(b.byteOffset + start, b.byteOffset + start + count * t[1].BYTES_PER_ELEMENT);
  return new ort.Tensor(t[0], new t[1](copy), shape);
}

function writeNpy(file, tensor) {
  const descr = { float32: '<f4', int32: '<i4', int64: '<i8', uint8: '|u1', int8: '|i1' }[tensor.type];
  if (!descr) throw new Error(`output type ${tensor.type} is not supported`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), data]));
}

async function main() {
  const args = process.argv.slice(2);
  let threads = 1;
  let opt = 'all';
  let optimizedPath;
  const rest = [];
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--threads') threads = Number(args[++i]);
    else if (args[i] === '--graph-optimization') opt = args[++i];
    else if (args[i] === '--optimized-model') optimizedPath = args[++i];
    else rest.push(args[i]);
  }
  if (rest.length < 2 || !['all', 'disabled', 'basic', 'extended'].includes(opt) || !(threads >= 1)) {
    console.error('usage: node run_ort.mjs MODEL.onnx OUT_DIR [--threads N] [--graph-optimization all|disabled] IN.npy...');
    process.exit(2);
  }
  const [model, outDir, ...inputs] = rest;
  let feeds;
  let session;
  try {
    session = await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: opt, executionMode: 'sequential',
      ...(optimizedPath ? { optimizedModelFilePath: optimizedPath, logSeverityLevel: 3 } : {}),
    });
  } catch (e) {
    console.error(`${model}: onnxruntime cannot load it: ${e.message}`);
    process.exit(3);
  }
  try {
    if (inputs.length !== session.inputNames.length)
      throw new Error(`${inputs.length} input files, the model has ${session.inputNames.length} inputs`);
    feeds = {};
    session.inputNames.forEach((name, i) => { feeds[name] = readNpy(inputs[i]); });
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  let results;
  try {
    results = await session.run(feeds);
  } catch (e) {
    console.error(`${model}: onnxruntime run failed: ${e.message}`);
    process.exit(3);
  }
  fs.mkdirSync(outDir, { recursive: true });
  session.outputNames.forEach((name, i) => writeNpy(path.join(outDir, `output_${i}.npy`), results[name]));
}

main();
