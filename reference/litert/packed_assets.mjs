// Lists or extracts the files inside an Emscripten file-packager bundle (*_packed_assets.data).
//
//   node packed_assets.mjs LOADER.js              prints "name<TAB>start<TAB>end" per entry
//   node packed_assets.mjs LOADER.js DATA OUTDIR  writes each .tflite entry to OUTDIR/<basename>
//
// The bundle has no index of its own: the matching *_loader.js calls loadPackage({"files": [{"filename",
// "start", "end"}, ...], "remote_package_size": N}) with a JSON literal, which we read without running the
// loader.
import fs from 'node:fs';
import path from 'node:path';

function fail(message) {
  process.stderr.write(`packed_assets: ${message}\n`);
  process.exit(2);
}

export function readPackedIndex(loaderPath) {
  const text = fs.readFileSync(loaderPath, 'utf8');
  const marker = text.lastIndexOf('loadPackage({');
  if (marker < 0) fail(`${loaderPath}: no loadPackage({...}) call found`);
  const begin = marker + 'loadPackage('.length;
  // The argument is a JSON object literal; find its matching brace (filenames hold no braces).
  let depth = 0;
  let end = -1;
  for (let i = begin; i < text.length; ++i) {
    if (text[i] === '{') ++depth;
    else if (text[i] === '}' && --depth === 0) { end = i + 1; break; }
  }
  if (end < 0) fail(`${loaderPath}: unbalanced braces in the loadPackage argument`);
  let meta;
  try {
    meta = JSON.parse(text.slice(begin, end));
  } catch (e) {
    fail(`${loaderPath}: loadPackage argument is not JSON (${e.message})`);
  }
  if (!Array.isArray(meta.files)) fail(`${loaderPath}: loadPackage argument has no "files" array`);
  return { files: meta.files, size: meta.remote_package_size };
}

function main() {
  const [loaderPath, dataPath, outDir] = process.argv.slice(2);
  if (!loaderPath || (dataPath && !outDir)) fail('usage: packed_assets.mjs LOADER.js [DATA OUTDIR]');
  const index = readPackedIndex(loaderPath);
  if (!dataPath) {
    for (const f of index.files) process.stdout.write(`${f.filename}\t${f.start}\t${f.end}\n`);
    return;
  }
  const data = fs.readFileSync(dataPath);
  if (index.size !== undefined && data.length !== index.size) {
    fail(`${dataPath}: ${data.length} bytes, loader says remote_package_size ${index.size}`);
  }
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of index.files) {
    if (!f.filename.endsWith('.tflite')) continue;
    if (!(f.start >= 0 && f.end > f.start && f.end <= data.length)) {
      fail(`${dataPath}: entry ${f.filename} has range [${f.start}, ${f.end}) outside ${data.length} bytes`);
    }
    const bytes = data.subarray(f.start, f.end);
    // A TFLite flatbuffer carries the file identifier "TFL3" at byte 4.
    if (bytes.toString('latin1', 4, 8) !== 'TFL3') fail(`${dataPath}: entry ${f.filename} is not a TFLite file`);
    const out = path.join(outDir, path.basename(f.filename));
    fs.writeFileSync(out, bytes);
    process.stdout.write(`${out}\t${f.filename}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
