// Makes a copy of a .tflite whose main subgraph exposes other tensors as its graph outputs, so a test can
// compare one op's output (an RNN's hidden sequence, an embedding) instead of what follows it (a float FC and
// softmax whose own rounding would hide whether the op itself is bit-exact).
//
//   node tflite_outputs.mjs MODEL.tflite OUT.tflite NAME1[,NAME2...]
//
// Nothing is rebuilt: a new int32 vector (the outputs) is appended after the FlatBuffer's last byte and the
// subgraph's `outputs` field (SubGraph field 2, a uoffset) is pointed at it. FlatBuffer offsets are unsigned
// and point forward, and the appended vector lies after every field, so the patched offset stays valid; the
// old vector becomes unreferenced bytes, which FlatBuffer verifiers accept. Both the TFLite interpreter and
// LiteRT load the result (checked on this repo's models).
import fs from 'node:fs';
import { readTflite } from './tflite_reader.mjs';

function u32(bytes, p) {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(p, true);
}

// Position of table field `id`'s value (0 when absent); same rule as tflite_reader's Reader.field.
function field(view, table, id) {
  const vtable = table - view.getInt32(table, true);
  const vsize = view.getUint16(vtable, true);
  const slot = 4 + 2 * id;
  if (slot >= vsize) return 0;
  const off = view.getUint16(vtable + slot, true);
  return off ? table + off : 0;
}

// Returns new bytes whose subgraph 0 outputs are the tensors named in `names` (in that order).
export function withOutputs(bytes, names, what = 'tflite') {
  const model = readTflite(bytes, what);
  const g = model.subgraphs[0];
  const ids = names.map((n) => {
    const matches = g.tensors.flatMap((t, i) => (t.name === n ? [i] : []));
    if (matches.length !== 1) {
      const some = g.tensors.map((t) => t.name).slice(0, 40).join(', ');
      throw new Error(`${what}: ${matches.length ? 'several tensors are' : 'no tensor is'} named '${n}' ` +
                      `(tensors: ${some}${g.tensors.length > 40 ? ', ...' : ''})`);
    }
    return matches[0];
  });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const root = u32(bytes, 0);
  const subgraphsField = field(view, root, 2);
  const subgraphs = subgraphsField + u32(bytes, subgraphsField);
  const sg0 = subgraphs + 4 + u32(bytes, subgraphs + 4);
  const outputsField = field(view, sg0, 2);
  if (!outputsField) throw new Error(`${what}: subgraph 0 has no outputs field to point elsewhere`);

  const start = (bytes.length + 3) & ~3; // vectors are 4-byte aligned
  const out = new Uint8Array(start + 4 + 4 * ids.length);
  out.set(bytes);
  const w = new DataView(out.buffer);
  w.setUint32(start, ids.length, true);
  ids.forEach((id, k) => w.setInt32(start + 4 + 4 * k, id, true));
  w.setUint32(outputsField, start - outputsField, true);
  // Read back through the independent reader: the outputs must now be exactly the requested tensors.
  const check = readTflite(out, what).subgraphs[0].outputs;
  if (check.length !== ids.length || check.some((v, k) => v !== ids[k])) {
    throw new Error(`${what}: patched outputs read back as [${check}], wanted [${ids}]`);
  }
  return out;
}

function main() {
  const [src, dst, list] = process.argv.slice(2);
  if (!src || !dst || !list) {
    process.stderr.write('usage: tflite_outputs.mjs MODEL.tflite OUT.tflite NAME1[,NAME2...]\n');
    process.exit(2);
  }
  try {
    fs.writeFileSync(dst, withOutputs(new Uint8Array(fs.readFileSync(src)), list.split(','), src));
  } catch (e) {
    process.stderr.write(`tflite_outputs: ${e.message}\n`);
    process.exit(2);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
