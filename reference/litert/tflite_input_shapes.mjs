// A copy of a .tflite whose graph inputs carry the given concrete shapes, for runtimes that cannot resize an input
// (LiteRT.js has no resize call; the TFLite interpreter of @tensorflow/tfjs-tflite prepares every op from the
// shapes stored in the file, so a model whose inputs are stored as [1, 1] with shape_signature [-1, -1] runs at
// [1, 1760] once the file says so).
//
//   withInputShapes(bytes, {NAME: [d0, d1, ...]}, what) -> Uint8Array
//
// Only dimensions the file marks dynamic (-1 in the input's shape_signature) may change, and the rank never does,
// so each shape vector is overwritten in place and nothing else in the file moves. Throws naming the input, the
// dimension, the stored and the wanted value when a shape does not fit.
import { Reader, readTflite } from './tflite_reader.mjs';

export function withInputShapes(bytes, shapes, what = 'tflite') {
  const { subgraphs } = readTflite(bytes, what);
  const g = subgraphs[0];
  const byName = new Map(g.inputs.map((t, k) => [g.tensors[t].name, { tensor: t, index: k }]));
  const out = new Uint8Array(bytes);
  const r = new Reader(out, what);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  // Tensor table positions of the main subgraph, in tensor order (Model.subgraphs 2, SubGraph.tensors 0).
  const tensorTables = r.tables(r.tables(r.deref(0), 2)[0], 0);
  for (const [name, want] of Object.entries(shapes)) {
    const input = byName.get(name);
    if (!input) throw new Error(`${what}: no graph input named '${name}' (inputs: ${[...byName.keys()].join(', ')})`);
    const t = g.tensors[input.tensor];
    if (want.length !== t.shape.length) {
      throw new Error(`${what}: input '${name}' has rank ${t.shape.length} (${t.shape}), the wanted shape (${want}) has rank ${want.length}`);
    }
    const signature = t.shapeSignature.length ? t.shapeSignature : t.shape;
    want.forEach((d, k) => {
      if (d !== t.shape[k] && signature[k] !== -1) {
        throw new Error(`${what}: input '${name}' dimension ${k} is fixed at ${t.shape[k]} (shape_signature ${signature}), wanted ${d}`);
      }
    });
    const vector = r.deref(r.field(tensorTables[input.tensor], 0));
    want.forEach((d, k) => view.setInt32(vector + 4 + 4 * k, d, true));
  }
  return out;
}
