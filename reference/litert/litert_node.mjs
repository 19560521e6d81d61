// Runs LiteRT.js (@litertjs/core, a browser package) under Node 20 on the CPU (wasm, XNNPACK).
//
// The package expects a worker or window: it loads its Emscripten glue with importScripts() and reads
// self.ModuleFactory, and the glue fetch()es its .wasm. We provide exactly those pieces: globalThis.self,
// an importScripts that evaluates the file in this context, require/__dirname/__filename for the glue's
// Node branch, and a fetch that serves local files. Everything else is the package's own code.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');

// <repo>/node_modules first, then $QGATE_NODE_MODULES (e.g. a shared install).
export function findNodeModules() {
  const candidates = [process.env.QGATE_NODE_MODULES, path.join(repo, 'node_modules')].filter(Boolean);
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, '@litertjs', 'core', 'package.json'))) return dir;
  }
  throw new Error(`@litertjs/core not found in ${candidates.join(' or ')} (run npm install at ${repo})`);
}

function localPath(url) {
  const s = url instanceof URL ? url.href : String(url);
  return s.startsWith('file:') ? fileURLToPath(s) : s;
}

function installShim(wasmDir) {
  const req = createRequire(path.join(wasmDir, 'loader.js'));
  globalThis.self ??= globalThis;
  globalThis.require = req;
  globalThis.__dirname = wasmDir;
  globalThis.importScripts = (...urls) => {
    for (const url of urls) {
      const file = localPath(url);
      globalThis.__filename = file;
      vm.runInThisContext(fs.readFileSync(file, 'utf8'), { filename: file });
    }
  };
  const nodeFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    const s = url instanceof URL ? url.href : typeof url === 'string' ? url : url.url;
    if (/^[a-z]+:\/\//i.test(s) && !s.startsWith('file:')) return nodeFetch(url, init);
    const file = localPath(s);
    const body = fs.readFileSync(file);
    const type = file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
    return new Response(body, { status: 200, headers: { 'Content-Type': type } });
  };
}

let liteRtPromise = null;

// Loads the single-threaded wasm build once; returns the @litertjs/core module namespace.
export async function loadLiteRtNode() {
  if (!liteRtPromise) {
    liteRtPromise = (async () => {
      const nodeModules = findNodeModules();
      const coreDir = path.join(nodeModules, '@litertjs', 'core');
      const wasmDir = path.join(coreDir, 'wasm');
      installShim(wasmDir);
      const core = await import(pathToFileURL(path.join(coreDir, 'dist', 'index.js')).href);
      await core.loadLiteRt(wasmDir + '/');
      return core;
    })();
  }
  return liteRtPromise;
}
