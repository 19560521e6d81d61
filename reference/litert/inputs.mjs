// Deterministic test inputs for a .tflite model's graph inputs.
//
//   node inputs.mjs [--seed S] [--int-range V] MODEL.tflite OUTDIR   writes OUTDIR/in_<i>.npy, prints their paths
//
// float32 inputs are uniform in [0, 1] when image-like (rank 4, 3 or 1 channels last: MediaPipe feeds images
// normalized to [0, 1] or [-1, 1], and [0, 1] is inside both; grey images such as Fashion-MNIST are pixels / 255;
// ONNX models, see writeInputsForIo, also count rank 4 with 3 or 1 channels in dim 1, NCHW), else uniform in
// [-1, 1]; uint8 inputs are uniform in 0..255, int8 in -128..127. int32 and int64 inputs are token ids, uniform
// in [0, V): V from --int-range, else the row count of the EMBEDDING_LOOKUP table the input feeds (followed
// through RESHAPE / SQUEEZE / EXPAND_DIMS), else an error asking for --int-range (an arbitrary range would index
// out of bounds).
// Each input i draws from its own stream seeded by (seed, i), so adding an input does not change the others.
// opts.shapes {NAME: [d0, ...]} gives an input with dynamic dimensions (-1) its concrete shape (fixed dimensions
// must match); opts.values {NAME: V} fills an input with the constant V instead (e.g. a sample-rate scalar).
import fs from 'node:fs';
import path from 'node:path';
import { modelIo, readTflite } from './tflite_reader.mjs';
import { writeNpy, elementCount } from './npy.mjs';

// SplitMix64 over BigInt: tiny, well-mixed, and the same sequence on every platform.
export function splitmix64(seed) {
  let state = BigInt.asUintN(64, BigInt(seed));
  return () => {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
}

export function isImageLike(t) {
  return t.shape.length === 4 && (t.shape[3] === 3 || t.shape[3] === 1);
}

// NHWC or NCHW images (an ONNX model's [1, C, H, W] input).
export function isImageLikeAnyLayout(t) {
  return isImageLike(t) || (t.shape.length === 4 && (t.shape[1] === 3 || t.shape[1] === 1));
}

// Ops that pass a token id tensor through unchanged in value (only its shape changes).
const SHAPE_ONLY = new Set(['RESHAPE', 'SQUEEZE', 'EXPAND_DIMS']);

// Row count of the EMBEDDING_LOOKUP table that graph input `index` feeds as ids, or null when there is none.
export function embeddingRows(modelBytes, index, what = 'tflite') {
  const { opcodes, subgraphs } = readTflite(modelBytes, what);
  const g = subgraphs[0];
  let frontier = [g.inputs[index]];
  const seen = new Set();
  let rows = null;
  while (frontier.length) {
    const next = [];
    for (const tensor of frontier) {
      if (seen.has(tensor)) continue;
      seen.add(tensor);
      for (const op of g.operators) {
        const name = opcodes[op.opcodeIndex].name;
        if (name === 'EMBEDDING_LOOKUP' && op.inputs[0] === tensor) {
          const r = g.tensors[op.inputs[1]].shape[0];
          rows = rows === null ? r : Math.min(rows, r);
        } else if (SHAPE_ONLY.has(name) && op.inputs[0] === tensor) {
          next.push(...op.outputs);
        }
      }
    }
    frontier = next;
  }
  return rows;
}

// The shape input t is fed at: t.shape, or shapes[t.name] where every dimension the model fixes agrees (-1 in
// t.shape, or in a .tflite's shape_signature, marks a dynamic dimension).
export function concreteShape(t, index, shapes = {}) {
  const want = shapes[t.name];
  if (want === undefined) {
    if (t.shape.some((d) => d < 0)) {
      throw new Error(`input ${index} (${t.name}) has a dynamic shape (${t.shape}): give its shape (--input-shape ${t.name}:...)`);
    }
    return t.shape;
  }
  const declared = t.shapeSignature?.length ? t.shapeSignature : t.shape;
  const fits = want.length === declared.length && want.every((d, k) => d >= 0 && (declared[k] < 0 || declared[k] === d));
  if (!fits) throw new Error(`input ${index} (${t.name}): shape (${want}) does not fit the declared (${declared})`);
  return want;
}

// [name, dims] of an --input-shape value "NAME:D0,D1,..." (input names may hold ':', as in "input:0"; the
// dimensions never do; "NAME:" is a scalar); null when it is malformed.
export function parseInputShape(v) {
  const at = v.lastIndexOf(':');
  const dims = v.slice(at + 1).split(',').filter((d) => d !== '').map(Number);
  if (at <= 0 || !dims.every((d) => Number.isInteger(d) && d >= 0)) return null;
  return [v.slice(0, at), dims];
}

// {dtype, shape, data} of input t filled with the constant v.
export function constantInput(t, v) {
  const n = elementCount(t.shape);
  const TYPED = { float32: Float32Array, int32: Int32Array, int64: BigInt64Array, uint8: Uint8Array, int8: Int8Array };
  if (!TYPED[t.dtype]) throw new Error(`input ${t.name}: no constant fill for dtype ${t.dtype}`);
  const data = new TYPED[t.dtype](n).fill(t.dtype === 'int64' ? BigInt(v) : v);
  if (t.dtype !== 'int64' && data[0] !== v) throw new Error(`input ${t.name}: ${v} is not a ${t.dtype} value`);
  return { dtype: t.dtype, shape: t.shape, data, range: [v, v] };
}

// opts.intRange: V for int32 / int64 inputs (values in [0, V)); opts.imageLike overrides isImageLike(t).
export function makeInput(t, seed, index, opts = {}) {
  const next = splitmix64(BigInt(seed) * 1000003n + BigInt(index));
  const n = elementCount(t.shape);
  if (t.shape.some((d) => d < 0)) throw new Error(`input ${index} (${t.name}) has a dynamic shape (${t.shape})`);
  if (t.dtype === 'float32') {
    const [lo, hi] = (opts.imageLike ?? isImageLike(t)) ? [0, 1] : [-1, 1];
    const data = new Float32Array(n);
    // 24 random bits give every float32 in [0, 1) on a 2^-24 grid, exactly representable.
    for (let i = 0; i < n; ++i) data[i] = lo + (hi - lo) * (Number(next() >> 40n) / 16777216);
    return { dtype: 'float32', shape: t.shape, data, range: [lo, hi] };
  }
  if (t.dtype === 'uint8') {
    const data = new Uint8Array(n);
    for (let i = 0; i < n; ++i) data[i] = Number(next() >> 56n);
    return { dtype: 'uint8', shape: t.shape, data, range: [0, 255] };
  }
  if (t.dtype === 'int8') {
    const data = new Int8Array(n);
    for (let i = 0; i < n; ++i) data[i] = Number(next() >> 56n) - 128;
    return { dtype: 'int8', shape: t.shape, data, range: [-128, 127] };
  }
  if (t.dtype === 'int32' || t.dtype === 'int64') {
    const v = opts.intRange;
    if (!(Number.isInteger(v) && v >= 1)) {
      throw new Error(`input ${index} (${t.name}) is ${t.dtype} and feeds no EMBEDDING_LOOKUP: give its value ` +
                      'range with --int-range V (values in [0, V))');
    }
    // Modulo bias is below 2^-50 for any table size: uniform for every purpose here.
    if (t.dtype === 'int64') {
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; ++i) data[i] = next() % BigInt(v);
      return { dtype: 'int64', shape: t.shape, data, range: [0, v - 1] };
    }
    const data = new Int32Array(n);
    for (let i = 0; i < n; ++i) data[i] = Number(next() % BigInt(v));
    return { dtype: 'int32', shape: t.shape, data, range: [0, v - 1] };
  }
  throw new Error(`input ${index} (${t.name}): no generator for dtype ${t.dtype}`);
}

// Input t at its concrete shape (opts.shapes), filled with opts.values[t.name] when given, else seeded.
function inputArray(t, seed, i, opts, makeOpts) {
  const c = { ...t, shape: concreteShape(t, i, opts.shapes) };
  const v = opts.values?.[t.name];
  return v !== undefined ? constantInput(c, v) : makeInput(c, seed, i, makeOpts);
}

function checkNames(names, what, opts) {
  for (const [flag, map] of [['--input-shape', opts.shapes], ['--input-value', opts.values]]) {
    for (const n of Object.keys(map ?? {})) {
      if (!names.includes(n)) throw new Error(`${flag} ${n}: ${what} has no input '${n}' (inputs: ${names.join(', ')})`);
    }
  }
}

// Writes in_<i>.npy for every graph input; returns [{path, name, shape, dtype, range}].
// opts.intRange: V for every int32 input (default: its embedding table's row count, see the top); opts.shapes,
// opts.values: see the top.
export function writeInputs(modelBytes, modelPath, outDir, seed, opts = {}) {
  const io = modelIo(modelBytes, modelPath);
  checkNames(io.inputs.map((t) => t.name), modelPath, opts);
  fs.mkdirSync(outDir, { recursive: true });
  return io.inputs.map((t, i) => {
    const intRange = opts.intRange ?? (t.dtype === 'int32' ? embeddingRows(modelBytes, i, modelPath) : null);
    const a = inputArray(t, seed, i, opts, { intRange });
    const file = path.join(outDir, `in_${i}.npy`);
    writeNpy(file, a);
    return { path: file, name: t.name, shape: a.shape, dtype: t.dtype, range: a.range };
  });
}

// The same for a model described by its input list [{name, dtype, shape}] (e.g. an ONNX session's metadata, -1
// for a symbolic dimension): NCHW and NHWC images count as image-like; int32 / int64 inputs need opts.intRange.
export function writeInputsForIo(inputs, outDir, seed, opts = {}) {
  checkNames(inputs.map((t) => t.name), 'the model', opts);
  fs.mkdirSync(outDir, { recursive: true });
  return inputs.map((t, i) => {
    const a = inputArray(t, seed, i, opts, { intRange: opts.intRange, imageLike: isImageLikeAnyLayout(t) });
    const file = path.join(outDir, `in_${i}.npy`);
    writeNpy(file, a);
    return { path: file, name: t.name, shape: a.shape, dtype: t.dtype, range: a.range };
  });
}

function main() {
  const args = process.argv.slice(2);
  let seed = 1;
  let intRange;
  const files = [];
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--seed') seed = Number(args[++i]);
    else if (args[i] === '--int-range') intRange = Number(args[++i]);
    else files.push(args[i]);
  }
  if (files.length !== 2 || !Number.isInteger(seed) || (intRange !== undefined && !(Number.isInteger(intRange) && intRange >= 1))) {
    process.stderr.write('usage: inputs.mjs [--seed S] [--int-range V] MODEL.tflite OUTDIR\n');
    process.exit(2);
  }
  try {
    for (const x of writeInputs(new Uint8Array(fs.readFileSync(files[0])), files[0], files[1], seed, { intRange })) {
      console.log(x.path);
    }
  } catch (e) {
    process.stderr.write(`inputs: ${e.message}\n`);
    process.exit(2);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
