// `qgate eval` of one model under one scheme on a handful of seeded samples: the smoke test that a public model
// goes through the whole evaluation (float run, quantization, hybrid run, per-layer metrics, verdict, report).
//
//   node tests/public_models/eval_smoke.mjs --qgate BUILD/qgate --model M.onnx|M.tflite --scheme S
//        [--input-shape NAME:D0,D1,...] [--samples N] [--seed S] [--int-range V] [--expect-refusal MESSAGE]
//
// Data: one .npy [N, <input dims without the batch>] drawn as reference/litert/inputs.mjs draws a single input
// (image-like float inputs uniform in [0, 1], others in [-1, 1]); --input-shape gives a dynamic input its shape
// (one sample's, batch 1). `qgate eval --model M --scheme S --data npy:X.npy --no-search --report R.json` runs;
// the case passes when eval completes (exit 0, or 1 when a gate failed: the verdict is the model's, not the
// harness's) and its report scores every output on N samples, no non-finite value in either run, the scheme asked
// for, at least one int8 weight, and a nonzero error at some layer (the quantized graph did run). The default gate on
// unlabeled data is top-1 agreement; what is smoke-tested is that the pipeline completes, not the verdict.
// --expect-refusal MESSAGE: qgate cannot evaluate the model yet; the case passes when eval exits 2 with the
// one-line error `qgate: error: MESSAGE` (MODEL stands for the --model path, DATA for the .npy), and fails once
// eval runs the model (the case is then due to be switched on) or refuses it otherwise.
// Exit status: 0 pass, 1 fail, 2 bad usage.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { concreteShape, isImageLikeAnyLayout, makeInput, parseInputShape } from '../../reference/litert/inputs.mjs';
import { writeNpy } from '../../reference/litert/npy.mjs';
import { modelIo } from '../../reference/litert/tflite_reader.mjs';
import { sessionIo } from '../../reference/onnxruntime/run_ort.mjs';

class Usage extends Error {}

function parseArgs(argv) {
  const o = { qgate: null, model: null, scheme: null, shapes: {}, samples: 4, seed: 1, intRange: undefined,
    expectRefusal: null };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--qgate') o.qgate = value();
    else if (a === '--model') o.model = value();
    else if (a === '--scheme') o.scheme = value();
    else if (a === '--samples') o.samples = Number(value());
    else if (a === '--seed') o.seed = Number(value());
    else if (a === '--int-range') o.intRange = Number(value());
    else if (a === '--expect-refusal') o.expectRefusal = value().replaceAll('%3B', ';'); // cases.txt's escape
    else if (a === '--input-shape') {
      const v = value();
      const parsed = parseInputShape(v);
      if (!parsed) throw new Usage(`--input-shape wants NAME:D0,D1,... with dimensions >= 0, got ${v}`);
      o.shapes[parsed[0]] = parsed[1];
    } else throw new Usage(`unknown argument ${a}`);
  }
  if (!o.qgate || !o.model || !o.scheme) throw new Usage('--qgate, --model and --scheme are required');
  if (!(Number.isInteger(o.samples) && o.samples >= 1)) throw new Usage(`--samples wants an integer >= 1, got ${o.samples}`);
  if (!Number.isInteger(o.seed)) throw new Usage(`--seed wants an integer, got ${o.seed}`);
  for (const p of [o.qgate, o.model]) if (!fs.existsSync(p)) throw new Usage(`${p} does not exist`);
  return o;
}

// The model's first input (eval feeds one) with its concrete per-sample shape.
async function firstInput(o) {
  const io = /\.onnx$/i.test(o.model) ? await sessionIo(o.model)
    : modelIo(new Uint8Array(fs.readFileSync(o.model)), o.model);
  const t = io.inputs[0];
  for (const n of Object.keys(o.shapes)) {
    if (!io.inputs.some((x) => x.name === n)) throw new Usage(`--input-shape ${n}: ${o.model} has no input '${n}'`);
  }
  return { ...t, shape: concreteShape(t, 0, o.shapes), inputs: io.inputs.length };
}

function checkReport(o, report) {
  const problems = [];
  // Every output is scored for its kind (report.outputs); the classes one, if any, also fills report.model.
  const outputs = report.outputs ?? [];
  if (outputs.length === 0) problems.push('no output was scored');
  for (const out of outputs) {
    if (out.samples !== o.samples) problems.push(`outputs ${out.name}: samples is ${out.samples}, ${o.samples} were fed`);
  }
  const m = report.model;
  if (m && (m.nonfinite?.float !== 0 || m.nonfinite?.quantized !== 0)) {
    problems.push(`non-finite outputs: float ${m.nonfinite?.float}, quantized ${m.nonfinite?.quantized}`);
  }
  // NaN or infinity in any layer output of either run (the outputs included): counted per element pair.
  const nonfinite = (report.layers ?? []).filter((l) => (l.accumulated?.nonfinite ?? 0) > 0);
  if (nonfinite.length > 0) {
    problems.push(`non-finite values in ${nonfinite.length} layer outputs, first ${nonfinite[0].name}`);
  }
  if (report.manifest?.scheme !== o.scheme) problems.push(`manifest.scheme is ${report.manifest?.scheme}, not ${o.scheme}`);
  const quantized = (report.weights ?? []).filter((w) => w.quantized);
  if (quantized.length === 0) problems.push('no weight was quantized');
  const moved = (report.layers ?? []).filter((l) => l.accumulated?.n > 0 && l.accumulated.mse > 0);
  if (moved.length === 0) problems.push('no layer output differs between the float and the quantized run');
  return { problems, quantized: quantized.length, layers: (report.layers ?? []).length };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qgate-eval-smoke-'));
  const name = path.basename(o.model);
  try {
    const t = await firstInput(o);
    // [N, <dims without the batch>] when the model's batch is 1, else N whole inputs.
    const shape = [o.samples, ...(t.shape[0] === 1 ? t.shape.slice(1) : t.shape)];
    const x = makeInput({ ...t, shape }, o.seed, 0, { intRange: o.intRange, imageLike: isImageLikeAnyLayout(t) });
    const data = path.join(work, 'x.npy');
    writeNpy(data, x);
    const report = path.join(work, 'report.json');
    const args = ['eval', '--model', o.model, '--scheme', o.scheme, '--data', `npy:${data}`, '--no-search',
      '--report', report];
    console.log(`eval smoke ${name}, scheme ${o.scheme}: ${o.samples} samples ${t.name} ${t.dtype}(${t.shape}) in [${x.range}]`);
    const q = spawnSync(o.qgate, args, { encoding: 'utf8' });
    if (q.error) throw new Error(`cannot start ${o.qgate}: ${q.error.message}`);
    const said = (q.stderr.split('\n').find((l) => l.startsWith('qgate: error: ')) ?? '')
      .slice('qgate: error: '.length).split(o.model).join('MODEL').split(data).join('DATA');
    if (o.expectRefusal !== null) {
      if (q.status === 0 || q.status === 1) {
        console.log(`FAIL ${name}: qgate eval now completes (exit ${q.status}): switch its case on`);
        return 1;
      }
      if (q.status !== 2 || said !== o.expectRefusal) {
        console.log(`FAIL ${name}: qgate exit ${q.status ?? q.signal}, said:\n  ${said || q.stderr.trim()}\nexpected exit 2 and:\n  ${o.expectRefusal}`);
        return 1;
      }
      console.log(`  qgate: error: ${said}\nPASS ${name}: refused as recorded`);
      return 0;
    }
    if (q.status !== 0 && q.status !== 1) {
      console.log(`FAIL ${name}: qgate eval exit ${q.status ?? q.signal}: ${said || q.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      return 1;
    }
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    const c = checkReport(o, r);
    const verdict = r.verdict?.status ?? '?';
    const seconds = r.timing?.seconds;
    console.log(`  verdict ${verdict} (exit ${q.status}), ${c.quantized} int8 weights, ${c.layers} layers, ` +
                `${Number.isFinite(seconds) ? seconds.toFixed(2) : '?'} s`);
    for (const p of c.problems) console.log(`  FAIL: ${p}`);
    console.log(c.problems.length ? `FAIL ${name}` : `PASS ${name}`);
    return c.problems.length ? 1 : 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (e) {
  if (e instanceof Usage) {
    console.error(`eval_smoke: ${e.message}\nusage: eval_smoke.mjs --qgate BUILD/qgate --model M --scheme S ` +
                  '[--input-shape NAME:D0,D1,...] [--samples N] [--seed S] [--int-range V] [--expect-refusal MESSAGE]');
    process.exitCode = 2;
  } else {
    console.error(`eval_smoke: FAIL ${e.message}`);
    process.exitCode = 1;
  }
}
