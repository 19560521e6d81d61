// Prints, for every model of tests/parity/models.txt, how far qgate's runs are from LiteRT's (LiteRT.js, CPU) on the
// same seeded input, in each arithmetic, as a Markdown table (the table of docs/litert-cpu.md):
//
//   node scripts/litert_cpu_table.mjs [--qgate build/qgate] [--scheme tflite-dynamic] [--seed 1] [MODEL ...]
//
// Per model (worst NMSE over its outputs, NMSE = sum (a - b)^2 / sum b^2 in double, b the second run named):
//   float parity: qgate's own float kernels vs LiteRT, and qgate --arithmetic litert-cpu vs LiteRT, on the float file;
//   on the file `qgate quantize --scheme S` writes: qgate with TFLite's builtin hybrid kernels (each op's options),
//   with --epilogue xnnpack, with --arithmetic litert-cpu, each vs LiteRT on that file;
//   the quantization error itself: LiteRT quantized vs LiteRT float, qgate (litert-cpu) quantized vs float,
//   qgate (builtin kernels) quantized vs qgate float.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readNpy } from '../reference/litert/npy.mjs';
import { writeInputs } from '../reference/litert/inputs.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function args() {
  const o = { qgate: path.join(repo, 'build', 'qgate'), scheme: 'tflite-dynamic', seed: 1, models: [] };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--qgate') o.qgate = argv[++i];
    else if (argv[i] === '--scheme') o.scheme = argv[++i];
    else if (argv[i] === '--seed') o.seed = Number(argv[++i]);
    else o.models.push(argv[i]);
  }
  if (!o.models.length) {
    o.models = fs.readFileSync(path.join(repo, 'tests', 'parity', 'models.txt'), 'utf8').split('\n')
      .filter((l) => l && !l.startsWith('#')).map((m) => path.join(repo, '.cache', 'models', m));
  }
  return o;
}

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
  return r;
}

// Output arrays of a run that wrote DIR/out_<j>.npy.
function outputs(dir) {
  return fs.readdirSync(dir).filter((f) => /^out_\d+\.npy$/.test(f)).sort().map((f) => readNpy(path.join(dir, f)));
}

function worstNmse(a, b) {
  let worst = 0;
  a.forEach((x, j) => {
    let err = 0;
    let energy = 0;
    for (let i = 0; i < x.data.length; ++i) {
      const d = x.data[i] - b[j].data[i];
      err += d * d;
      energy += b[j].data[i] * b[j].data[i];
    }
    worst = Math.max(worst, err / Math.max(energy, 1e-30));
  });
  return worst;
}

const fmt = (v) => (v === 0 ? '0' : v.toExponential(1));

const o = args();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qgate-litert-cpu-table-'));
console.log(`| model | float: qgate kernels | float: litert-cpu | ${o.scheme}: tflite-builtin | xnnpack epilogue | litert-cpu | ` +
            'LiteRT quantized vs float | qgate litert-cpu quantized vs float | qgate builtin quantized vs float |');
console.log('|---|---|---|---|---|---|---|---|---|');
try {
  for (const model of o.models) {
    const name = path.basename(model, '.tflite');
    const dir = path.join(work, name);
    const q = path.join(dir, 'q.tflite');
    fs.mkdirSync(dir, { recursive: true });
    run(o.qgate, ['quantize', model, '--scheme', o.scheme, '-o', q]);
    const inputs = writeInputs(new Uint8Array(fs.readFileSync(model)), model, path.join(dir, 'in'), o.seed).map((x) => x.path);
    const litert = (file, out) => {
      run(process.execPath, [path.join(repo, 'reference', 'litert', 'run_litert.mjs'), '--runs', '1', file, out, ...inputs]);
      return outputs(out);
    };
    const qgate = (file, out, extra) => {
      run(o.qgate, ['run', file, ...inputs.flatMap((x) => ['--input', x]), '--output-dir', out, ...extra]);
      return outputs(out);
    };
    const lf = litert(model, path.join(dir, 'lf'));
    const lq = litert(q, path.join(dir, 'lq'));
    const qf = qgate(model, path.join(dir, 'qf'), []);
    const qfc = qgate(model, path.join(dir, 'qfc'), ['--arithmetic', 'litert-cpu']);
    const qq = qgate(q, path.join(dir, 'qq'), []);
    const qqx = qgate(q, path.join(dir, 'qqx'), ['--epilogue', 'xnnpack']);
    const qqc = qgate(q, path.join(dir, 'qqc'), ['--arithmetic', 'litert-cpu']);
    console.log(`| ${name} | ${fmt(worstNmse(qf, lf))} | ${fmt(worstNmse(qfc, lf))} | ${fmt(worstNmse(qq, lq))} | ` +
                `${fmt(worstNmse(qqx, lq))} | ${fmt(worstNmse(qqc, lq))} | ${fmt(worstNmse(lq, lf))} | ` +
                `${fmt(worstNmse(qqc, qfc))} | ${fmt(worstNmse(qq, qf))} |`);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
