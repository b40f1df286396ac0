// Fields splitting and number parsing from bytes: parseFloatBytes must agree bit for bit with
// parseFloat on every decimal form (its fast path is Clinger's exact one), and reject junk.
import { describe, expect, it } from 'vitest';
import { Fields, bytesToString, parseFloatBytes, parseIntBytes, parseNumber } from './fields';

const enc = (s: string) => new TextEncoder().encode(s);
const pf = (s: string) => {
  const b = enc(s);
  return parseFloatBytes(b, 0, b.length);
};

describe('fields', () => {
  it('splits on spaces, tabs and CR', () => {
    const b = enc('  a\tbb \r ccc  ');
    const f = new Fields(1);
    expect(f.split(b, 0, b.length)).toBe(3);
    expect([0, 1, 2].map((k) => bytesToString(b, f.starts[k], f.ends[k]))).toEqual(['a', 'bb', 'ccc']);
  });

  it('parseFloatBytes equals parseFloat on random decimals of every shape', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 20000; i++) {
      const x = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20);
      for (const s of [String(x), x.toFixed(8), x.toExponential(15), x.toPrecision(1 + (i % 21)), x.toFixed(i % 21)]) {
        expect(Object.is(pf(s), parseFloat(s)), s).toBe(true);
      }
    }
    for (const s of ['0', '-0', '-0.0', '1e22', '1e23', '9007199254740993', '5e-324', '1.7976931348623157e308', '.5', '5.', '+3', '0.1E+02']) {
      expect(Object.is(pf(s), parseFloat(s)), s).toBe(true);
    }
    expect(pf('1.0D+02')).toBe(100);
    expect(pf('nan')).toBeNaN();
    expect(pf('-inf')).toBe(-Infinity);
    for (const bad of ['', '-', '.', 'e5', '1e', '1.2.3', '1x', '0x10', '--1']) expect(pf(bad), bad).toBeNaN();
    expect(parseNumber(' 2.5 ')).toBe(2.5);
  });

  it('parseIntBytes', () => {
    const pi = (s: string) => parseIntBytes(enc(s), 0, enc(s).length);
    expect([pi('42'), pi('-7'), pi('+3')]).toEqual([42, -7, 3]);
    for (const bad of ['', '-', '1.0', '1e3', 'x']) expect(pi(bad), bad).toBeNaN();
  });
});
