// Minimal NPY (format version 1.0) reader and writer: little-endian, C order, the dtypes qgate's tests use.
// Arrays are {dtype, shape, data} with data a TypedArray of the dtype (float16 is kept as raw Uint16 bits
// unless converted with float16ToFloat32).
import fs from 'node:fs';

const DESCR = {
  float32: '<f4', float16: '<f2', int8: '|i1', uint8: '|u1', int32: '<i4', int64: '<i8',
};
const ARRAY = {
  float32: Float32Array, float16: Uint16Array, int8: Int8Array, uint8: Uint8Array, int32: Int32Array,
  int64: BigInt64Array,
};
const DTYPE_OF_DESCR = {
  '<f4': 'float32', '<f2': 'float16', '|i1': 'int8', '<i1': 'int8', '|u1': 'uint8', '<u1': 'uint8',
  '<i4': 'int32', '<i8': 'int64',
};
const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // "\x93NUMPY"

export function elementCount(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

export function parseNpy(buf, what = 'npy') {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new Error(`${what}: not an NPY file (bad magic)`);
  const major = buf[6];
  let headerLen;
  let offset;
  if (major === 1) { headerLen = buf.readUInt16LE(8); offset = 10; }
  else if (major === 2 || major === 3) { headerLen = buf.readUInt32LE(8); offset = 12; }
  else throw new Error(`${what}: NPY version ${major}.${buf[7]} is not supported`);
  const header = buf.toString('latin1', offset, offset + headerLen);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${what}: malformed NPY header ${JSON.stringify(header.trim())}`);
  }
  const dtype = DTYPE_OF_DESCR[descr];
  if (!dtype) throw new Error(`${what}: dtype '${descr}' is not supported (want one of ${Object.values(DESCR)})`);
  if (fortran === 'True') throw new Error(`${what}: Fortran-order arrays are not supported (want C order)`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const count = elementCount(shape);
  const dataOffset = offset + headerLen;
  const Ctor = ARRAY[dtype];
  const bytes = count * Ctor.BYTES_PER_ELEMENT;
  if (buf.length - dataOffset !== bytes) {
    throw new Error(`${what}: shape (${shape}) of ${dtype} needs ${bytes} data bytes, file has ${buf.length - dataOffset}`);
  }
  // Copy so the data is aligned whatever the header length was.
  const data = new Ctor(count);
  new Uint8Array(data.buffer).set(buf.subarray(dataOffset, dataOffset + bytes));
  return { dtype, shape, data };
}

export function readNpy(path) {
  return parseNpy(fs.readFileSync(path), path);
}

export function encodeNpy({ dtype, shape, data }) {
  const descr = DESCR[dtype];
  if (!descr) throw new Error(`npy: cannot write dtype '${dtype}'`);
  if (!(data instanceof ARRAY[dtype])) throw new Error(`npy: data for ${dtype} must be a ${ARRAY[dtype].name}`);
  if (data.length !== elementCount(shape)) {
    throw new Error(`npy: shape (${shape}) holds ${elementCount(shape)} elements, data has ${data.length}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so magic + 4 length bytes + header + '\n' is a multiple of 64 (the format's alignment).
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  if (header.length > 65535) throw new Error('npy: header too long for format version 1.0');
  const head = Buffer.alloc(10);
  MAGIC.copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

export function writeNpy(path, array) {
  fs.writeFileSync(path, encodeNpy(array));
}

export function float16ToFloat32(bits) {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; ++i) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}
