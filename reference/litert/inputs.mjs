// Deterministic test inputs for a .tflite model's graph inputs.
//
//   node inputs.mjs [--seed S] MODEL.tflite OUTDIR      writes OUTDIR/in_<i>.npy and prints their paths
//
// float32 inputs are uniform in [0, 1] when image-like (rank 4, 3 channels last: MediaPipe feeds images
// normalized to [0, 1] or [-1, 1], and [0, 1] is inside both), else uniform in [-1, 1]; uint8 inputs are
// uniform in 0..255. Each input i draws from its own stream seeded by (seed, i), so adding an input does not
// change the others.
import fs from 'node:fs';
import path from 'node:path';
import { modelIo } from './tflite_reader.mjs';
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
  return t.shape.length === 4 && t.shape[3] === 3;
}

export function makeInput(t, seed, index) {
  const next = splitmix64(BigInt(seed) * 1000003n + BigInt(index));
  const n = elementCount(t.shape);
  if (t.shape.some((d) => d < 0)) throw new Error(`input ${index} (${t.name}) has a dynamic shape (${t.shape})`);
  if (t.dtype === 'float32') {
    const [lo, hi] = isImageLike(t) ? [0, 1] : [-1, 1];
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
  throw new Error(`input ${index} (${t.name}): no generator for dtype ${t.dtype}`);
}

// Writes in_<i>.npy for every graph input; returns [{path, name, shape, dtype, range}].
export function writeInputs(modelBytes, modelPath, outDir, seed) {
  const io = modelIo(modelBytes, modelPath);
  fs.mkdirSync(outDir, { recursive: true });
  return io.inputs.map((t, i) => {
    const a = makeInput(t, seed, i);
    const file = path.join(outDir, `in_${i}.npy`);
    writeNpy(file, a);
    return { path: file, name: t.name, shape: t.shape, dtype: t.dtype, range: a.range };
  });
}

function main() {
  const args = process.argv.slice(2);
  let seed = 1;
  const files = [];
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--seed') seed = Number(args[++i]);
    else files.push(args[i]);
  }
  if (files.length !== 2 || !Number.isInteger(seed)) {
    process.stderr.write('usage: inputs.mjs [--seed S] MODEL.tflite OUTDIR\n');
    process.exit(2);
  }
  try {
    for (const x of writeInputs(new Uint8Array(fs.readFileSync(files[0])), files[0], files[1], seed)) {
      console.log(x.path);
    }
  } catch (e) {
    process.stderr.write(`inputs: ${e.message}\n`);
    process.exit(2);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
