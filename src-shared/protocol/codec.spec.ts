import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './codec';

describe('binary message codec', () => {
  it('round-trips typed arrays, nested objects and non-finite numbers', () => {
    const msg = {
      id: 7,
      result: {
        positionsA: new Float32Array([1.5, -2.25, 3]),
        energies: new Float64Array([1e-300, NaN, -0.1]),
        numbers: new Int32Array([29, 28, 1]),
        bytes: new Uint8Array([0, 255, 7]),
        nested: [{ f: new Float64Array([Math.PI]) }],
        inf: Infinity,
        text: 'Å',
      },
    };
    const back = decodeMessage(encodeMessage(msg)) as typeof msg;
    expect(back.result.positionsA).toBeInstanceOf(Float32Array);
    expect(Array.from(back.result.positionsA)).toEqual([1.5, -2.25, 3]);
    expect(back.result.energies[0]).toBe(1e-300);
    expect(Number.isNaN(back.result.energies[1])).toBe(true);
    expect(Array.from(back.result.numbers)).toEqual([29, 28, 1]);
    expect(Array.from(back.result.bytes)).toEqual([0, 255, 7]);
    expect(back.result.nested[0].f[0]).toBe(Math.PI);
    expect(back.result.inf).toBe(Infinity);
    expect(back.result.text).toBe('Å');
  });

  it('handles subarray views at odd offsets', () => {
    const base = new Uint8Array(17).map((_, i) => i);
    const view = base.subarray(3, 11);
    const back = decodeMessage(encodeMessage({ v: view })) as { v: Uint8Array };
    expect(Array.from(back.v)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('rejects corrupt messages instead of reading out of range', () => {
    const good = encodeMessage({ a: new Float64Array(4) });
    expect(() => decodeMessage(good.subarray(0, good.length - 8))).toThrow(/out of range/);
    expect(() => decodeMessage(new Uint8Array([255, 255, 0, 0]))).toThrow();
  });
});
