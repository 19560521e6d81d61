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
  return withOutputIds(bytes, ids, what);
}

// The same with tensor ids instead of names.
export function withOutputIds(bytes, ids, what = 'tflite') {
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

// Returns new bytes whose subgraph 0 runs only its first `count` operators and outputs tensor `output` (an id):
// the graph truncated after operator count - 1. TFLite executes operators in file order, so the first `count`
// form a complete graph. The operators vector's length field is lowered in place (the remaining operator
// tables become unreferenced bytes) and the outputs vector is replaced as withOutputs does.
export function truncatedAfter(bytes, count, output, what = 'tflite') {
  const model = readTflite(bytes, what);
  const g = model.subgraphs[0];
  if (!(Number.isInteger(count) && count >= 1 && count <= g.operators.length)) {
    throw new Error(`${what}: cannot keep ${count} of ${g.operators.length} operators`);
  }
  const copy = new Uint8Array(bytes);
  const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  const root = u32(copy, 0);
  const subgraphsField = field(view, root, 2);
  const subgraphs = subgraphsField + u32(copy, subgraphsField);
  const sg0 = subgraphs + 4 + u32(copy, subgraphs + 4);
  const operatorsField = field(view, sg0, 3);
  view.setUint32(operatorsField + u32(copy, operatorsField), count, true);
  const out = withOutputIds(copy, [output], what);
  const check = readTflite(out, what).subgraphs[0];
  if (check.operators.length !== count) throw new Error(`${what}: truncation read back ${check.operators.length} operators`);
  return out;
}

// Returns {bytes, inputs}: a copy of the model whose subgraph 0 runs operator `k` alone, with the tensors it reads
// from earlier operators (or the model's inputs) as graph inputs (`inputs`: their ids, in the op's input order)
// and its outputs as graph outputs. Operators that compute what k reads from constants alone (DEQUANTIZE of a
// float16 weight, DENSIFY of a sparse one) are kept in front of it, so its weights stay constant for the runtime. The operators vector is rewritten in place (length
// and offsets; the kept tables lie after the vector, as FlatBuffers builders lay them out), the inputs and
// outputs vectors are appended as withOutputIds does.
export function singleOperator(bytes, k, what = 'tflite') {
  const model = readTflite(bytes, what);
  const g = model.subgraphs[0];
  const producer = new Map();
  g.operators.forEach((op, i) => op.outputs.forEach((t) => producer.set(t, i)));
  // Tensors computed from constants only (a float16 weight's DEQUANTIZE, a sparse weight's DENSIFY) stay
  // computed in the copy: their operators are kept in front of k.
  const fromConstants = new Map();
  const constant = (t) => {
    if (fromConstants.has(t)) return fromConstants.get(t);
    const p = producer.get(t);
    const v = p === undefined ? !g.inputs.includes(t) && !g.tensors[t].isVariable
      : g.operators[p].inputs.every((x) => x < 0 || constant(x));
    fromConstants.set(t, v);
    return v;
  };
  const keep = [];
  const keepChain = (t) => {
    const p = producer.get(t);
    if (p === undefined || keep.includes(p)) return;
    for (const x of g.operators[p].inputs) if (x >= 0) keepChain(x);
    keep.push(p);
  };
  const inputs = [];
  for (const t of g.operators[k].inputs) {
    if (t < 0) continue;
    if (constant(t)) keepChain(t);
    else if (!inputs.includes(t)) inputs.push(t);
  }
  keep.sort((a, b) => a - b);
  keep.push(k);
  const copy = new Uint8Array(bytes);
  const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  const root = u32(copy, 0);
  const subgraphsField = field(view, root, 2);
  const subgraphs = subgraphsField + u32(copy, subgraphsField);
  const sg0 = subgraphs + 4 + u32(copy, subgraphs + 4);
  const operatorsField = field(view, sg0, 3);
  const vec = operatorsField + u32(copy, operatorsField);
  const tablePos = g.operators.map((_, i) => vec + 4 + 4 * i + u32(copy, vec + 4 + 4 * i));
  view.setUint32(vec, keep.length, true);
  keep.forEach((i, slot) => {
    const at = vec + 4 + 4 * slot;
    if (tablePos[i] <= at) throw new Error(`${what}: operator ${i}'s table lies before the operators vector`);
    view.setUint32(at, tablePos[i] - at, true);
  });
  const withOut = withOutputIds(copy, g.operators[k].outputs, what);
  return { bytes: replaceIntVector(withOut, 1, inputs, what), inputs };
}

// Points subgraph 0's int vector field `id` (1 inputs, 2 outputs) at a new vector holding `ids`, appended.
function replaceIntVector(bytes, id, ids, what) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const root = u32(bytes, 0);
  const subgraphsField = field(view, root, 2);
  const subgraphs = subgraphsField + u32(bytes, subgraphsField);
  const sg0 = subgraphs + 4 + u32(bytes, subgraphs + 4);
  const at = field(view, sg0, id);
  if (!at) throw new Error(`${what}: subgraph 0 has no field ${id} to point elsewhere`);
  const start = (bytes.length + 3) & ~3;
  const out = new Uint8Array(start + 4 + 4 * ids.length);
  out.set(bytes);
  const w = new DataView(out.buffer);
  w.setUint32(start, ids.length, true);
  ids.forEach((v, i) => w.setInt32(start + 4 + 4 * i, v, true));
  w.setUint32(at, start - at, true);
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
