import { describe, expect, it } from 'vitest';
import { elementColor } from '../../src-shared/atoms/elements';
import { elementLinear, writeAtomColors } from './coloring';
import { hexToLinear } from './colormaps';
import type { ViewStructure } from './types';

const s: ViewStructure = {
  numbers: new Int32Array([8, 1, 1]),
  positionsA: new Float32Array(9),
  cellA: null,
  pbc: [false, false, false],
  forcesEvPerA: new Float32Array([0, 0, 0, 3, 4, 0, 0, 1, 0]),
  columns: { q: new Float32Array([-0.8, 0.4, 0.4]), e: new Float32Array([1, 2, 3]) },
  columnUnits: { q: 'e' },
};

describe('writeAtomColors', () => {
  const n = 3;
  const el = new Float32Array(9);
  for (let a = 0; a < n; a++) elementLinear(s.numbers[a], el, 3 * a);
  const out = new Float32Array(9);
  const scratch = new Float32Array(n);

  it('element mode copies Jmol colours and has no legend', () => {
    expect(writeAtomColors(out, s, n, { kind: 'element' }, el, scratch, null)).toBeNull();
    const ref = new Float32Array(3);
    hexToLinear(elementColor(8), ref);
    expect(Array.from(out.subarray(0, 3))).toEqual(Array.from(ref));
  });

  it('force mode: |F| legend from 0 to the largest force, in eV/Å', () => {
    expect(writeAtomColors(out, s, n, { kind: 'force' }, el, scratch, null)).toEqual({ label: '|F|', unit: 'eV/Å', min: 0, max: 5, colormap: 'viridis' });
    expect(writeAtomColors(out, { ...s, forcesEvPerA: null }, n, { kind: 'force' }, el, scratch, null)).toBeNull();
  });

  it('column mode: signed columns use coolwarm; fixed ranges override; missing columns fall back', () => {
    const q = writeAtomColors(out, s, n, { kind: 'column', name: 'q' }, el, scratch, null)!;
    expect({ ...q, min: 0, max: 0 }).toEqual({ label: 'q', unit: 'e', min: 0, max: 0, colormap: 'coolwarm' });
    expect(q.min).toBeCloseTo(-0.8, 6);
    expect(q.max).toBeCloseTo(0.8, 6);
    expect(writeAtomColors(out, s, n, { kind: 'column', name: 'e' }, el, scratch, { min: 0, max: 10 })).toEqual({ label: 'e', unit: '', min: 0, max: 10, colormap: 'viridis' });
    expect(writeAtomColors(out, s, n, { kind: 'column', name: 'nope' }, el, scratch, null)).toBeNull();
    expect(Array.from(out)).toEqual(Array.from(el));
  });
});
