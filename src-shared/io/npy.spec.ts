// .npy reader/writer: files written by numpy (the DeePMD fixtures, float64 and float32), headers of
// versions 1 and 2, Fortran order, integer types, write->read round trips and refusals.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseNpy, writeNpy } from './npy';

const DIR = fileURLToPath(new URL('../../fixtures/io/dft/deepmd/', import.meta.url));
const expected = JSON.parse(readFileSync(DIR + 'expected.json', 'utf8'));

/** A .npy file with the given header dict and raw data bytes (version 1 or 2). */
function npy(header: string, data: Uint8Array, major = 1): Uint8Array {
  const pre = major === 1 ? 10 : 12;
  let h = header;
  h += ' '.repeat((64 - ((pre + h.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const v = new DataView(out.buffer);
  if (major === 1) v.setUint16(8, h.length, true);
  else v.setUint32(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[pre + i] = h.charCodeAt(i);
  out.set(data, pre + h.length);
  return out;
}

describe('.npy', () => {
  it('reads numpy float64 and float32 files', () => {
    const c = parseNpy(new Uint8Array(readFileSync(DIR + 'si8_f64/set.000/coord.npy')));
    expect(c.shape).toEqual([2, 24]);
    expect(c.dtype).toBe('f8');
    expect(Array.from(c.data.subarray(0, 24))).toEqual(expected.si8_f64[0].positions);
    const f = parseNpy(new Uint8Array(readFileSync(DIR + 'h2o_f32/set.000/force.npy')));
    expect(f.dtype).toBe('f4');
    expect(Array.from(f.data)).toEqual(expected.h2o_f32[0].forces.map(Math.fround));
  });

  it('version 2 header, int16/int64/uint8, Fortran order', () => {
    const i16 = new Uint8Array(new Int16Array([1, -2, 3]).buffer);
    expect(Array.from(parseNpy(npy("{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }", i16, 2)).data)).toEqual([1, -2, 3]);
    const i64 = new Uint8Array(new BigInt64Array([5n, -7n]).buffer);
    expect(Array.from(parseNpy(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", i64)).data)).toEqual([5, -7]);
    // Fortran order [[1, 2, 3], [4, 5, 6]] is stored column by column: 1 4 2 5 3 6.
    const fo = new Uint8Array(new Float64Array([1, 4, 2, 5, 3, 6]).buffer);
    const a = parseNpy(npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", fo));
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(parseNpy(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", new Uint8Array([0, 255]))).data)).toEqual([0, 255]);
  });

  it('write -> read round trip; header aligned to 64 bytes', () => {
    const data = Float64Array.from([Math.PI, -0, 1e-300, 123456789.123]);
    const b = writeNpy(data, [2, 2]);
    expect((10 + new DataView(b.buffer).getUint16(8, true)) % 64).toBe(0);
    const back = parseNpy(b);
    expect(back.shape).toEqual([2, 2]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    expect(Array.from(parseNpy(writeNpy(Int32Array.from([3, 1]), [2])).data)).toEqual([3, 1]);
    expect(() => writeNpy(new Float64Array(3), [2, 2])).toThrow(/holds 4 values/);
  });

  it('refuses what it cannot read, with a reason', () => {
    expect(() => parseNpy(new Uint8Array(20))).toThrow(/not a .npy file/);
    expect(() => parseNpy(npy("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)))).toThrow(/big-endian/);
    expect(() => parseNpy(npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)))).toThrow(/unsupported .npy dtype/);
    expect(() => parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", new Uint8Array(8)))).toThrow(/truncated .npy data/);
  });
});
