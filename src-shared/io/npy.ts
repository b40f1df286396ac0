// NumPy .npy files (format versions 1.0, 2.0, 3.0; numpy.lib.format, NEP 1
// "A simple file format for NumPy arrays"): magic "\x93NUMPY", major and minor version bytes, a
// little-endian header length (uint16 for 1.0, uint32 for 2.0/3.0), an ASCII Python dict literal
// {'descr': '<f8', 'fortran_order': False, 'shape': (2, 24), } padded with spaces and '\n', then
// the raw data. Read: little-endian (or byte-order-free '|') float64, float32, int8/16/32/64,
// uint8/16/32/64 and bool, C or Fortran order (Fortran order is transposed to C order). Big-endian
// and object arrays are refused with a message. Write: float64 or int32, C order, version 1.0,
// header padded so that the data starts at a multiple of 64 bytes (what numpy >= 1.20 writes).
// Integers beyond 2^53 lose precision when converted to numbers (int64 data are read as doubles).

export interface NpyArray {
  shape: number[];
  /** numpy type string without the byte order, e.g. "f8", "i4". */
  dtype: string;
  /** Values in C (row-major) order. */
  data: Float64Array | Int32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parse a .npy byte array; throws an Error whose message says what is wrong. */
export function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    offset = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    offset = 12;
  } else throw new Error(`unsupported .npy version ${major}.${bytes[7]}`);
  if (offset + headerLen > bytes.length) throw new Error('truncated .npy header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(offset, offset + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new Error(`unreadable .npy header: ${header.trim()}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`bad .npy shape (${shapeText})`);
  const order = descr[0];
  const dtype = descr.slice(1);
  if (order === '>' && dtype !== 'u1' && dtype !== 'i1' && dtype !== 'b1') throw new Error(`big-endian .npy data (${descr}) is not supported; save with numpy on a little-endian machine or astype('<f8')`);
  if (!'<|='.includes(order) && order !== '>') throw new Error(`unsupported .npy dtype "${descr}"`);
  const size = shape.reduce((a, b) => a * b, 1);
  const item: Record<string, number> = { f8: 8, f4: 4, i8: 8, i4: 4, i2: 2, i1: 1, u8: 8, u4: 4, u2: 2, u1: 1, b1: 1 };
  const width = item[dtype];
  if (!width) throw new Error(`unsupported .npy dtype "${descr}" (supported: float64/32, int and uint 8-64, bool)`);
  const start = offset + headerLen;
  if (start + size * width > bytes.length) throw new Error(`truncated .npy data: shape (${shape.join(', ')}) needs ${size * width} bytes, the file has ${bytes.length - start}`);
  const isInt32 = dtype === 'i4' || dtype === 'i2' || dtype === 'i1' || dtype === 'u2' || dtype === 'u1' || dtype === 'b1';
  const out: Float64Array | Int32Array = isInt32 ? new Int32Array(size) : new Float64Array(size);
  for (let k = 0; k < size; k++) {
    const p = start + k * width;
    let v: number;
    switch (dtype) {
      case 'f8': v = view.getFloat64(p, true); break;
      case 'f4': v = view.getFloat32(p, true); break;
      case 'i8': v = Number(view.getBigInt64(p, true)); break;
      case 'u8': v = Number(view.getBigUint64(p, true)); break;
      case 'i4': v = view.getInt32(p, true); break;
      case 'u4': v = view.getUint32(p, true); break;
      case 'i2': v = view.getInt16(p, true); break;
      case 'u2': v = view.getUint16(p, true); break;
      case 'i1': v = view.getInt8(p); break;
      default: v = view.getUint8(p); // u1, b1
    }
    out[k] = v;
  }
  const data = fortran === 'True' && shape.length > 1 ? fortranToC(out, shape) : out;
  return { shape, dtype, data };
}

/** Reorder column-major data to row-major for the given shape. */
function fortranToC<T extends Float64Array | Int32Array>(src: T, shape: number[]): T {
  const n = shape.length;
  const out = new (src.constructor as { new (len: number): T })(src.length);
  const idx = new Array<number>(n).fill(0);
  const fStride = new Array<number>(n);
  fStride[0] = 1;
  for (let d = 1; d < n; d++) fStride[d] = fStride[d - 1] * shape[d - 1];
  for (let k = 0; k < src.length; k++) {
    let f = 0;
    for (let d = 0; d < n; d++) f += idx[d] * fStride[d];
    out[k] = src[f];
    for (let d = n - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** A .npy file (version 1.0, C order) holding float64 (Float64Array) or int32 (Int32Array) data. */
export function writeNpy(data: Float64Array | Int32Array, shape: number[]): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new Error(`writeNpy: shape (${shape.join(', ')}) holds ${size} values, data has ${data.length}`);
  const descr = data instanceof Float64Array ? '<f8' : '<i4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, 10 + header.length);
  for (let k = 0; k < data.length; k++) {
    if (data instanceof Float64Array) view.setFloat64(8 * k, data[k], true);
    else view.setInt32(4 * k, data[k], true);
  }
  return out;
}
