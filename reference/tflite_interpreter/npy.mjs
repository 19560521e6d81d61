// Minimal NPY (NumPy .npy, format versions 1-3) reader and writer for the reference adapters.
// Little-endian, C order only; dtypes float32/float64/int8/uint8/int16/uint16/int32/int64/bool.
// readNpy returns { dtype, shape, data } where data is a typed array that owns a copy of the bytes.
import fs from 'node:fs';

const DESCR_TO_DTYPE = {
  '<f4': 'float32', '<f8': 'float64', '|i1': 'int8', '|u1': 'uint8', '<i2': 'int16', '<u2': 'uint16',
  '<i4': 'int32', '<i8': 'int64', '|b1': 'bool',
};
const DTYPE_TO_DESCR = Object.fromEntries(Object.entries(DESCR_TO_DTYPE).map(([d, t]) => [t, d]));
const TYPED = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, int64: BigInt64Array, bool: Uint8Array,
};

export function elementCount(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

export function typedArrayFor(dtype) {
  const t = TYPED[dtype];
  if (!t) throw new Error(`npy: unsupported dtype ${dtype}`);
  return t;
}

// Parses the bytes of a .npy file; `what` names the file in errors.
export function parseNpy(buf, what = 'npy') {
  if (buf.length < 10 || buf[0] !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') {
    throw new Error(`${what}: not an NPY file (bad magic)`);
  }
  const major = buf[6];
  let headerLen;
  let headerStart;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    headerLen = buf.readUInt32LE(8);
    headerStart = 12;
  } else {
    throw new Error(`${what}: NPY format version ${major} is not supported (1, 2 or 3)`);
  }
  const header = buf.toString('latin1', headerStart, headerStart + headerLen);
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${what}: malformed NPY header: ${header.trim()}`);
  }
  if (fortran === 'True') throw new Error(`${what}: fortran_order arrays are not supported (want C order)`);
  const dtype = DESCR_TO_DTYPE[descr];
  if (!dtype) throw new Error(`${what}: dtype '${descr}' is not supported (little-endian numeric or bool only)`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const T = TYPED[dtype];
  const count = elementCount(shape);
  const dataStart = headerStart + headerLen;
  if (buf.length - dataStart !== count * T.BYTES_PER_ELEMENT) {
    throw new Error(`${what}: shape [${shape}] of ${dtype} needs ${count * T.BYTES_PER_ELEMENT} data bytes, ` +
                    `file has ${buf.length - dataStart}`);
  }
  // Copy so the data is aligned for the typed array whatever the header length was.
  const bytes = new Uint8Array(count * T.BYTES_PER_ELEMENT);
  bytes.set(buf.subarray(dataStart));
  return { dtype, shape, data: new T(bytes.buffer) };
}

export function readNpy(path) {
  return parseNpy(fs.readFileSync(path), path);
}

// Encodes { dtype, shape, data } as NPY version 1.0 bytes.
export function encodeNpy({ dtype, shape, data }) {
  const descr = DTYPE_TO_DESCR[dtype];
  if (!descr) throw new Error(`npy: cannot write dtype ${dtype}`);
  if (data.length !== elementCount(shape)) {
    throw new Error(`npy: ${data.length} elements do not fill shape [${shape}]`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so that magic + length + header + newline is a multiple of 64 bytes.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head[0] = 0x93;
  head.write('NUMPY', 1, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const T = TYPED[dtype];
  const typed = data instanceof T ? data : T.from(data);
  return Buffer.concat([head, Buffer.from(header, 'latin1'),
                        Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength)]);
}

export function writeNpy(path, array) {
  fs.writeFileSync(path, encodeNpy(array));
}
