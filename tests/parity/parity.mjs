// Float parity of `qgate run` against LiteRT (TFLite) on one model and seeded inputs.
//
//   node tests/parity/parity.mjs --qgate BUILD/qgate --model M.tflite [--seed 1] [--tolerance 1e-6]
//        [--no-cache] [--keep] [--runs N] [--qgate-repeat N]
//
// Inputs: reference/litert/inputs.mjs (seeded, uniform; image-like float inputs in [0, 1], others [-1, 1]).
// Golden: LiteRT via reference/litert/run_litert.mjs, cached under <repo>/.cache/golden/<sha256 of model,
// inputs and LiteRT version> (or $QGATE_GOLDEN_CACHE); the cache is only ever written by this script.
// Candidate: `qgate run M --input in_0.npy [--input in_1.npy ...] --output-dir D` writes D/out_<j>.npy
// (float32, model output order), exit 0 ok, 2 bad input. With --qgate-repeat N > 1 (default 3) it also gets
// `--repeat N` and prints its median run time; --qgate-repeat 1 sticks to the bare contract.
// Per output: NMSE = sum((q - r)^2) / max(sum(r^2), tiny) and max |q - r|, both in double.
// Exit status: 0 when every output has the golden shape and NMSE <= tolerance; 1 on a parity failure or
// when either runtime fails; 2 on bad usage.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readNpy } from '../../reference/litert/npy.mjs';
import { writeInputs } from '../../reference/litert/inputs.mjs';
import { modelIo } from '../../reference/litert/tflite_reader.mjs';
import { findNodeModules } from '../../reference/litert/litert_node.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const runLitert = path.join(repo, 'reference', 'litert', 'run_litert.mjs');
// Guards NMSE against an all-zero golden output; small enough never to matter for a real signal.
const TINY_ENERGY = 1e-30;

class Usage extends Error {}

function parseArgs(argv) {
  const o = { qgate: null, model: null, seed: 1, tolerance: 1e-6, cache: true, keep: false, runs: 3, qgateRepeat: 3 };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--qgate') o.qgate = value();
    else if (a === '--model') o.model = value();
    else if (a === '--seed') o.seed = Number(value());
    else if (a === '--tolerance') o.tolerance = Number(value());
    else if (a === '--runs') o.runs = Number(value());
    else if (a === '--qgate-repeat') o.qgateRepeat = Number(value());
    else if (a === '--no-cache') o.cache = false;
    else if (a === '--keep') o.keep = true;
    else throw new Usage(`unknown argument ${a}`);
  }
  if (!o.qgate || !o.model) throw new Usage('--qgate and --model are required');
  if (!Number.isInteger(o.seed)) throw new Usage(`--seed wants an integer, got ${o.seed}`);
  if (!(o.tolerance >= 0)) throw new Usage(`--tolerance wants a number >= 0, got ${o.tolerance}`);
  if (!(Number.isInteger(o.runs) && o.runs >= 1)) throw new Usage(`--runs wants an integer >= 1, got ${o.runs}`);
  if (!(Number.isInteger(o.qgateRepeat) && o.qgateRepeat >= 1)) {
    throw new Usage(`--qgate-repeat wants an integer >= 1, got ${o.qgateRepeat}`);
  }
  for (const [flag, p] of [['--qgate', o.qgate], ['--model', o.model]]) {
    if (!fs.existsSync(p)) throw new Usage(`${flag} ${p} does not exist`);
  }
  return o;
}

function sha256(...buffers) {
  const h = crypto.createHash('sha256');
  for (const b of buffers) h.update(b);
  return h.digest('hex');
}

function litertVersion() {
  const pkg = path.join(findNodeModules(), '@litertjs', 'core', 'package.json');
  return JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
}

function lastLines(text, n) {
  return text.trim().split('\n').filter(Boolean).slice(-n).map((l) => `    ${l}`).join('\n');
}

// Runs LiteRT unless a cached golden exists; returns {dir, ms, cached} or throws with LiteRT's message.
function golden(o, modelBytes, inputs, work) {
  const key = sha256(modelBytes, ...inputs.map((x) => fs.readFileSync(x.path)),
    Buffer.from(`litertjs-core ${litertVersion()}`));
  const cacheRoot = process.env.QGATE_GOLDEN_CACHE || path.join(repo, '.cache', 'golden');
  const cached = path.join(cacheRoot, key);
  const metaFile = path.join(cached, 'meta.json');
  if (o.cache && fs.existsSync(metaFile)) {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    return { dir: cached, ms: meta.litert_ms, cached: true };
  }
  const dir = path.join(work, 'litert');
  const r = spawnSync(process.execPath, [runLitert, '--runs', String(o.runs), o.model, dir,
    ...inputs.map((x) => x.path)], { encoding: 'utf8' });
  if (r.status !== 0) {
    // run_litert's own message first, then LiteRT's ERROR lines (its WARNING/INFO lines are noise here).
    const lines = r.stderr.split('\n');
    const why = [...lines.filter((l) => l.startsWith('run_litert:')).slice(0, 1),
      ...lines.filter((l) => /ERROR/.test(l) && !l.startsWith('run_litert:')).slice(-4)].map((l) => `    ${l.trim()}`).join('\n');
    throw new Error(`LiteRT failed on ${o.model} (exit ${r.status}):\n${why || lastLines(r.stderr, 6)}`);
  }
  const ms = Number(/run median ([0-9.]+) ms/.exec(r.stderr)?.[1]);
  if (!o.cache) return { dir, ms, cached: false };
  // Publish atomically so a concurrent run never sees a half-written entry.
  fs.mkdirSync(cacheRoot, { recursive: true });
  const staging = fs.mkdtempSync(path.join(cacheRoot, `.tmp-${key.slice(0, 8)}-`));
  for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(staging, f));
  fs.writeFileSync(path.join(staging, 'meta.json'), JSON.stringify({
    model: path.basename(o.model), model_sha256: sha256(modelBytes), seed: o.seed,
    inputs: inputs.map(({ name, shape, dtype, range }) => ({ name, shape, dtype, range })),
    litertjs_core: litertVersion(), litert_ms: ms,
  }, null, 1) + '\n');
  try {
    fs.renameSync(staging, cached);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another run published the same key first
  }
  return { dir: cached, ms, cached: false };
}

function compare(q, r) {
  let err = 0;
  let energy = 0;
  let maxAbs = 0;
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
    if (Number.isFinite(b)) energy += b * b;
  }
  const nmse = nonFinite ? NaN : err / Math.max(energy, TINY_ENERGY);
  return { nmse, maxAbs, nonFinite };
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const modelBytes = new Uint8Array(fs.readFileSync(o.model));
  const io = modelIo(modelBytes, o.model);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qgate-parity-'));
  const name = path.basename(o.model);
  try {
    const inputs = writeInputs(modelBytes, o.model, path.join(work, 'inputs'), o.seed);
    const desc = inputs.map((x) => `${x.name} ${x.dtype}(${x.shape}) in [${x.range}]`).join(', ');
    console.log(`parity ${name}: seed ${o.seed}, tolerance ${o.tolerance}; inputs ${desc}`);

    const g = golden(o, modelBytes, inputs, work);

    const qdir = path.join(work, 'qgate');
    const qargs = ['run', o.model, ...inputs.flatMap((x) => ['--input', x.path]), '--output-dir', qdir];
    // qgate's --repeat prints its own median run time, the figure comparable with LiteRT's.
    if (o.qgateRepeat > 1) qargs.push('--repeat', String(o.qgateRepeat));
    const t0 = process.hrtime.bigint();
    const q = spawnSync(o.qgate, qargs, { encoding: 'utf8' });
    const qms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (q.error) throw new Error(`cannot start ${o.qgate}: ${q.error.message}`);
    if (q.status !== 0) {
      throw new Error(`qgate run failed on ${name} (exit ${q.status ?? q.signal}): ${o.qgate} ${qargs.join(' ')}\n${lastLines(q.stderr + q.stdout, 6)}`);
    }

    let ok = true;
    for (let j = 0; j < io.outputs.length; ++j) {
      const file = `out_${j}.npy`;
      const r = readNpy(path.join(g.dir, file));
      const qfile = path.join(qdir, file);
      if (!fs.existsSync(qfile)) {
        console.log(`out_${j} (${r.shape}) MISSING: qgate wrote no ${file}`);
        ok = false;
        continue;
      }
      const qa = readNpy(qfile);
      if (qa.dtype !== 'float32') {
        console.log(`out_${j} (${r.shape}) FAIL: qgate wrote ${qa.dtype}, the contract is float32`);
        ok = false;
        continue;
      }
      if (qa.shape.length !== r.shape.length || qa.shape.some((v, k) => v !== r.shape[k])) {
        console.log(`out_${j} FAIL: qgate shape (${qa.shape}) != LiteRT shape (${r.shape})`);
        ok = false;
        continue;
      }
      const c = compare(qa, r);
      const pass = c.nmse <= o.tolerance;
      ok &&= pass;
      const extra = c.nonFinite ? ` (${c.nonFinite} non-finite values where LiteRT has none)` : '';
      console.log(`out_${j} (${r.shape}) NMSE ${c.nmse.toExponential(3)} maxabs ${c.maxAbs.toExponential(3)} ${pass ? 'ok' : 'FAIL'}${extra}`);
    }
    const extraOut = fs.existsSync(qdir) ? fs.readdirSync(qdir).filter((f) => /^out_\d+\.npy$/.test(f)).length : 0;
    if (extraOut > io.outputs.length) {
      console.log(`FAIL: qgate wrote ${extraOut} outputs, the model has ${io.outputs.length}`);
      ok = false;
    }
    const litertTime = `${g.ms.toFixed(3)} ms/run median${g.cached ? ' (cached golden)' : ''}`;
    console.log(`time: qgate ${qms.toFixed(1)} ms wall (process incl. load), LiteRT ${litertTime}`);
    const qtime = (q.stderr + q.stdout).split('\n').filter((l) => /\bms\b/.test(l));
    for (const l of qtime.slice(0, 3)) console.log(`  qgate: ${l.trim()}`);
    console.log(ok ? `PASS ${name}` : `FAIL ${name}: NMSE above ${o.tolerance} or shape mismatch`);
    return ok ? 0 : 1;
  } finally {
    if (o.keep) console.log(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  process.exitCode = main();
} catch (e) {
  if (e instanceof Usage) {
    console.error(`parity: ${e.message}\nusage: parity.mjs --qgate BUILD/qgate --model M.tflite [--seed 1] [--tolerance 1e-6] [--no-cache] [--keep] [--runs N] [--qgate-repeat N]`);
    process.exitCode = 2;
  } else {
    console.error(`parity: FAIL ${e.message}`);
    process.exitCode = 1;
  }
}
