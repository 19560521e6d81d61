// Runs an .onnx model in onnxruntime-node (CPU execution provider) on .npy inputs and writes its outputs as .npy.
//
//   node run_ort.mjs [--runs N] [--threads T] [--graph-optimization disabled|basic|extended|all]
//                    [--optimized-model PATH] MODEL.onnx OUTDIR [NAME=]IN.npy ...
//
// Options may come anywhere on the line. --optimized-model also writes the graph onnxruntime runs after its
// optimizer (e.g. fused com.microsoft ops) to PATH.
// Inputs: a bare IN.npy feeds the model's inputs in the session's input order; NAME=IN.npy feeds the input
// called NAME (the two forms may not be mixed). The array's dtype and shape must equal the input's.
// Outputs: OUTDIR/out_<j>.npy is the session's j-th output (graph output order), in its own dtype and shape;
// one line per output on stdout: "out_<j> NAME DTYPE(SHAPE)".
// Defaults: --runs 5 (timed runs after one warm-up; the median goes to stderr), --threads 1 (intra-op threads;
// inter-op is always 1, sequential execution), --graph-optimization all (onnxruntime's own default).
// Exit status: 0 ok, 1 onnxruntime failed to load or run the model, 2 bad usage or input.
//
// Also a module: sessionIo(modelPath) gives {inputs, outputs} as [{name, dtype, shape}] (symbolic dims as -1).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readNpy, writeNpy } from '../litert/npy.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');

class UsageError extends Error {}
class RuntimeFailure extends Error {}

// <repo>/node_modules first, then $QGATE_NODE_MODULES (the same lookup as reference/litert/litert_node.mjs).
export function findPackageDir() {
  const candidates = [path.join(repo, 'node_modules'), process.env.QGATE_NODE_MODULES].filter(Boolean);
  for (const dir of candidates) {
    const pkg = path.join(dir, 'onnxruntime-node');
    if (fs.existsSync(path.join(pkg, 'package.json'))) return pkg;
  }
  throw new Error(`onnxruntime-node not found in ${candidates.join(' or ')} (run npm install at ${repo})`);
}

export function loadOrt() {
  const dir = findPackageDir();
  return createRequire(path.join(dir, 'package.json'))(dir);
}

const OPT_LEVELS = ['disabled', 'basic', 'extended', 'all'];

export async function createSession(ort, modelPath, { threads = 1, graphOptimization = 'all', optimizedModel } = {}) {
  return ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: graphOptimization,
    // Saving the optimized graph logs a warning per run about its layout ops: keep errors only.
    ...(optimizedModel ? { optimizedModelFilePath: optimizedModel, logSeverityLevel: 3 } : {}),
  });
}

function describe(meta) {
  return meta.map((m) => ({
    name: m.name,
    dtype: m.isTensor ? m.type : 'non-tensor',
    shape: m.isTensor ? m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) : [],
  }));
}

// {inputs, outputs}: [{name, dtype, shape}] from the session's metadata, in session order.
export async function sessionIo(modelPath) {
  const session = await createSession(loadOrt(), modelPath);
  const io = { inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) };
  await session.release();
  return io;
}

function parseArgs(argv) {
  const o = { runs: 5, threads: 1, graphOptimization: 'all', optimizedModel: undefined, files: [] };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--runs') o.runs = Number(value());
    else if (a === '--threads') o.threads = Number(value());
    else if (a === '--graph-optimization') o.graphOptimization = value();
    else if (a === '--optimized-model') o.optimizedModel = value();
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else o.files.push(a);
  }
  if (o.files.length < 2) {
    throw new UsageError('usage: run_ort.mjs [--runs N] [--threads T] [--graph-optimization disabled|basic|extended|all] ' +
                         '[--optimized-model PATH] MODEL.onnx OUTDIR [NAME=]IN.npy ...');
  }
  if (!(Number.isInteger(o.runs) && o.runs >= 1)) throw new UsageError(`--runs wants an integer >= 1, got ${o.runs}`);
  if (!(Number.isInteger(o.threads) && o.threads >= 1)) {
    throw new UsageError(`--threads wants an integer >= 1, got ${o.threads}`);
  }
  if (!OPT_LEVELS.includes(o.graphOptimization)) {
    throw new UsageError(`--graph-optimization wants one of ${OPT_LEVELS.join(', ')}, got ${o.graphOptimization}`);
  }
  return o;
}

// Pairs each input file with a session input: all by position, or all by NAME=FILE.
function assignInputs(specs, inputs, modelPath) {
  const named = specs.map((s) => /^([^=]+)=(.+)$/.exec(s));
  if (named.some(Boolean) && !named.every(Boolean)) {
    throw new UsageError('give every input as NAME=FILE or none (positional and named inputs do not mix)');
  }
  const files = new Array(inputs.length);
  if (named.every(Boolean) && specs.length) {
    for (const [, name, file] of named) {
      const k = inputs.findIndex((t) => t.name === name);
      if (k < 0) throw new UsageError(`${modelPath} has no input '${name}' (inputs: ${inputs.map((t) => t.name).join(', ')})`);
      if (files[k]) throw new UsageError(`input '${name}' given twice`);
      files[k] = file;
    }
  } else {
    specs.forEach((f, k) => { files[k] = f; });
  }
  if (specs.length !== inputs.length || files.some((f) => !f)) {
    throw new UsageError(`${modelPath} has ${inputs.length} input(s) (${inputs.map((t) => t.name).join(', ')}), ` +
                         `got ${specs.length} .npy file(s)`);
  }
  return files;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const [modelPath, outDir, ...specs] = o.files;
  if (!fs.existsSync(modelPath)) throw new UsageError(`cannot read model ${modelPath}: no such file`);
  const ort = loadOrt();
  let session;
  try {
    session = await createSession(ort, modelPath, o);
  } catch (e) {
    throw new RuntimeFailure(`onnxruntime could not load ${modelPath}: ${e.message}`);
  }
  const io = { inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) };
  const files = assignInputs(specs, io.inputs, modelPath);
  const feeds = {};
  io.inputs.forEach((t, k) => {
    let a;
    try {
      a = readNpy(files[k]);
    } catch (e) {
      throw new UsageError(e.message);
    }
    if (a.dtype !== t.dtype) throw new UsageError(`input '${t.name}': ${files[k]} is ${a.dtype}, the model wants ${t.dtype}`);
    const fits = a.shape.length === t.shape.length && t.shape.every((d, i) => d < 0 || d === a.shape[i]);
    if (!fits) throw new UsageError(`input '${t.name}': ${files[k]} has shape (${a.shape}), the model wants (${t.shape})`);
    feeds[t.name] = new ort.Tensor(a.dtype, a.data, a.shape);
  });

  // One warm-up run (its outputs are kept: every run computes the same thing), then timed runs.
  let outputs;
  const times = [];
  try {
    outputs = await session.run(feeds);
    for (let r = 0; r < o.runs; ++r) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  } catch (e) {
    throw new RuntimeFailure(`onnxruntime failed running ${modelPath}: ${e.message}`);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];

  fs.mkdirSync(outDir, { recursive: true });
  session.outputNames.forEach((name, j) => {
    const t = outputs[name];
    writeNpy(path.join(outDir, `out_${j}.npy`), { dtype: t.type, shape: Array.from(t.dims), data: t.data });
    console.log(`out_${j} ${name} ${t.type}(${t.dims})`);
  });
  await session.release();
  process.stderr.write(`onnxruntime: ${path.basename(modelPath)}: ${session.outputNames.length} output(s); ` +
                       `run median ${median.toFixed(3)} ms over ${o.runs} run(s) after 1 warm-up ` +
                       `(${o.threads} intra-op thread(s), graph optimization ${o.graphOptimization})\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`run_ort: ${e.message}\n`);
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}
