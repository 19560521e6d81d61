// Reads the parts of a .tflite FlatBuffer that the reference tools need (tensor names, shapes, types, graph
// inputs/outputs, operator codes), by table field id, from the public TFLite schema:
//   Model:        version 0, operator_codes 1, subgraphs 2, description 3, buffers 4
//   OperatorCode: deprecated_builtin_code 0 (byte), custom_code 1, version 2, builtin_code 3
//   SubGraph:     tensors 0, inputs 1, outputs 2, operators 3, name 4
//   Operator:     opcode_index 0, inputs 1, outputs 2
//   Tensor:       shape 0, type 1, buffer 2, name 3, quantization 4, is_variable 5, shape_signature 7
// Not a general FlatBuffer library: no verification beyond bounds checks on what is read.

export const TENSOR_TYPES = [
  'float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8', 'float64',
  'complex128', 'uint64', 'resource', 'variant', 'uint32', 'uint16', 'int4',
];

// BuiltinOperator enum values of the TFLite schema (codes 0..130).
export const BUILTIN_NAMES = [
  'ADD', 'AVERAGE_POOL_2D', 'CONCATENATION', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'DEPTH_TO_SPACE', 'DEQUANTIZE',
  'EMBEDDING_LOOKUP', 'FLOOR', 'FULLY_CONNECTED', 'HASHTABLE_LOOKUP', 'L2_NORMALIZATION', 'L2_POOL_2D',
  'LOCAL_RESPONSE_NORMALIZATION', 'LOGISTIC', 'LSH_PROJECTION', 'LSTM', 'MAX_POOL_2D', 'MUL', 'RELU',
  'RELU_N1_TO_1', 'RELU6', 'RESHAPE', 'RESIZE_BILINEAR', 'RNN', 'SOFTMAX', 'SPACE_TO_DEPTH', 'SVDF', 'TANH',
  'CONCAT_EMBEDDINGS', 'SKIP_GRAM', 'CALL', 'CUSTOM', 'EMBEDDING_LOOKUP_SPARSE', 'PAD',
  'UNIDIRECTIONAL_SEQUENCE_RNN', 'GATHER', 'BATCH_TO_SPACE_ND', 'SPACE_TO_BATCH_ND', 'TRANSPOSE', 'MEAN', 'SUB',
  'DIV', 'SQUEEZE', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'STRIDED_SLICE', 'BIDIRECTIONAL_SEQUENCE_RNN', 'EXP',
  'TOPK_V2', 'SPLIT', 'LOG_SOFTMAX', 'DELEGATE', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'CAST', 'PRELU', 'MAXIMUM',
  'ARG_MAX', 'MINIMUM', 'LESS', 'NEG', 'PADV2', 'GREATER', 'GREATER_EQUAL', 'LESS_EQUAL', 'SELECT', 'SLICE',
  'SIN', 'TRANSPOSE_CONV', 'SPARSE_TO_DENSE', 'TILE', 'EXPAND_DIMS', 'EQUAL', 'NOT_EQUAL', 'LOG', 'SUM', 'SQRT',
  'RSQRT', 'SHAPE', 'POW', 'ARG_MIN', 'FAKE_QUANT', 'REDUCE_PROD', 'REDUCE_MAX', 'PACK', 'LOGICAL_OR', 'ONE_HOT',
  'LOGICAL_AND', 'LOGICAL_NOT', 'UNPACK', 'REDUCE_MIN', 'FLOOR_DIV', 'REDUCE_ANY', 'SQUARE', 'ZEROS_LIKE', 'FILL',
  'FLOOR_MOD', 'RANGE', 'RESIZE_NEAREST_NEIGHBOR', 'LEAKY_RELU', 'SQUARED_DIFFERENCE', 'MIRROR_PAD', 'ABS',
  'SPLIT_V', 'UNIQUE', 'CEIL', 'REVERSE_V2', 'ADD_N', 'GATHER_ND', 'COS', 'WHERE', 'RANK', 'ELU',
  'REVERSE_SEQUENCE', 'MATRIX_DIAG', 'QUANTIZE', 'MATRIX_SET_DIAG', 'ROUND', 'HARD_SWISH', 'IF', 'WHILE',
  'NON_MAX_SUPPRESSION_V4', 'NON_MAX_SUPPRESSION_V5', 'SCATTER_ND', 'SELECT_V2', 'DENSIFY', 'SEGMENT_SUM',
  'BATCH_MATMUL', 'PLACEHOLDER_FOR_GREATER_OP_CODES', 'CUMSUM', 'CALL_ONCE', 'BROADCAST_TO',
];

export function builtinName(code) {
  return BUILTIN_NAMES[code] ?? `BUILTIN_${code}`;
}

export class Reader {
  constructor(bytes, what) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.bytes = bytes;
    this.what = what;
  }
  check(pos, size) {
    if (pos < 0 || pos + size > this.bytes.length) {
      throw new Error(`${this.what}: flatbuffer offset ${pos} (+${size}) outside ${this.bytes.length} bytes`);
    }
  }
  u8(p) { this.check(p, 1); return this.view.getUint8(p); }
  i8(p) { this.check(p, 1); return this.view.getInt8(p); }
  u16(p) { this.check(p, 2); return this.view.getUint16(p, true); }
  i32(p) { this.check(p, 4); return this.view.getInt32(p, true); }
  u32(p) { this.check(p, 4); return this.view.getUint32(p, true); }
  // Position of a table field's value, or 0 when absent.
  field(table, id) {
    const vtable = table - this.i32(table);
    const vsize = this.u16(vtable);
    const slot = 4 + 2 * id;
    if (slot >= vsize) return 0;
    const off = this.u16(vtable + slot);
    return off ? table + off : 0;
  }
  deref(p) { return p + this.u32(p); }
  scalar(table, id, kind, dflt) {
    const p = this.field(table, id);
    return p ? this[kind](p) : dflt;
  }
  string(table, id) {
    const p = this.field(table, id);
    if (!p) return null;
    const s = this.deref(p);
    const n = this.u32(s);
    this.check(s + 4, n);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + s + 4, n).toString('utf8');
  }
  // A vector field of 4-byte elements: [] when absent, else read(position of element i) for each element.
  vector(table, id, read) {
    const p = this.field(table, id);
    if (!p) return [];
    const v = this.deref(p);
    return Array.from({ length: this.u32(v) }, (_, i) => read(v + 4 + 4 * i));
  }
  // Vector of int32 (shape, inputs, outputs).
  ints(table, id) {
    return this.vector(table, id, (at) => this.i32(at));
  }
  // Vector of tables: positions of each table.
  tables(table, id) {
    return this.vector(table, id, (at) => this.deref(at));
  }
}

// Returns {opcodes: [{builtin, name, custom}], subgraphs: [{name, tensors, inputs, outputs, operators}]}.
export function readTflite(bytes, what = 'tflite') {
  if (bytes.length < 8 || Buffer.from(bytes.buffer, bytes.byteOffset + 4, 4).toString('latin1') !== 'TFL3') {
    throw new Error(`${what}: not a TFLite file (no "TFL3" identifier)`);
  }
  const r = new Reader(bytes, what);
  const model = r.deref(0);
  const opcodes = r.tables(model, 1).map((oc) => {
    // Codes above 127 live only in builtin_code; older files only set the byte field: take the larger.
    const builtin = Math.max(r.scalar(oc, 0, 'i8', 0), r.scalar(oc, 3, 'i32', 0));
    const custom = r.string(oc, 1);
    return { builtin, custom, name: builtin === 32 && custom ? custom : builtinName(builtin) };
  });
  const subgraphs = r.tables(model, 2).map((sg) => {
    const tensors = r.tables(sg, 0).map((t) => ({
      shape: r.ints(t, 0),
      dtype: TENSOR_TYPES[r.scalar(t, 1, 'i8', 0)] ?? `type_${r.scalar(t, 1, 'i8', 0)}`,
      buffer: r.scalar(t, 2, 'u32', 0),
      name: r.string(t, 3) ?? '',
      isVariable: r.scalar(t, 5, 'u8', 0) !== 0,
      // The converter's shape with -1 where a dimension is dynamic; absent in files without dynamic dimensions.
      shapeSignature: r.ints(t, 7),
    }));
    const operators = r.tables(sg, 3).map((op) => {
      const opcodeIndex = r.scalar(op, 0, 'u32', 0);
      if (opcodeIndex >= opcodes.length) {
        throw new Error(`${what}: operator opcode_index ${opcodeIndex} >= ${opcodes.length} operator codes`);
      }
      return { opcodeIndex, inputs: r.ints(op, 1), outputs: r.ints(op, 2) };
    });
    return { name: r.string(sg, 4) ?? '', tensors, inputs: r.ints(sg, 1), outputs: r.ints(sg, 2), operators };
  });
  return { opcodes, subgraphs };
}

// Graph inputs and outputs of the main subgraph: [{name, shape, dtype, shapeSignature}] each (shapeSignature: -1
// where the dimension is dynamic, empty when the file has none).
export function modelIo(bytes, what) {
  const { subgraphs } = readTflite(bytes, what);
  const g = subgraphs[0];
  const describe = (i) => ({
    name: g.tensors[i].name, shape: g.tensors[i].shape, dtype: g.tensors[i].dtype,
    shapeSignature: g.tensors[i].shapeSignature,
  });
  return { inputs: g.inputs.map(describe), outputs: g.outputs.map(describe) };
}
