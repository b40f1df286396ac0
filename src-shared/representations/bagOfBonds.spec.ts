// Bag of bonds against entries written down by hand (same geometries as coulombMatrix.spec.ts).
import { describe, expect, it } from 'vitest';
import { BOHR_A } from '../units';
import { bagFeatureNames, bagOfBonds, fitBagLayout } from './bagOfBonds';

const A = (bohr: number[]) => bohr.map((x) => x * BOHR_A);
const h2o = { numbers: [1, 8, 1], positionsA: A([1.8, 0, 0, 0, 0, 0, 0, 1.8, 0]) };
const a = 1.2;
const ch4 = { numbers: [6, 1, 1, 1, 1], positionsA: A([0, 0, 0, a, a, a, a, -a, -a, -a, a, -a, -a, -a, a]) };

const OO = 0.5 * 8 ** 2.4, CC = 0.5 * 6 ** 2.4, HH = 0.5;
const OH = 8 / 1.8, HHw = 1 / (1.8 * Math.SQRT2);
const CH = 6 / (a * Math.sqrt(3)), HHm = 1 / (2 * a * Math.SQRT2);

describe('bag of bonds', () => {
  it('H2O alone: bags H, O, H-H, H-O', () => {
    const layout = fitBagLayout([h2o]);
    expect(bagFeatureNames(layout)).toEqual(['H[0]', 'H[1]', 'O[0]', 'H-H[0]', 'H-O[0]', 'H-O[1]']);
    const v = bagOfBonds(h2o.numbers, h2o.positionsA, layout);
    const expected = [HH, HH, OO, HHw, OH, OH];
    for (let k = 0; k < expected.length; k++) expect(v[k]).toBeCloseTo(expected[k], 12);
  });

  it('layout over H2O and CH4: bag sizes are the largest counts, padding is zero', () => {
    const layout = fitBagLayout([h2o, ch4]);
    // diagonal H (4: CH4), C (1), O (1); pairs H-H (6: CH4), H-C (4), H-O (2). No C-O: never together.
    expect(layout.bags.map((b) => [b.diagonal ? `${b.zA}` : `${b.zA}-${b.zB}`, b.size])).toEqual([
      ['1', 4], ['6', 1], ['8', 1], ['1-1', 6], ['1-6', 4], ['1-8', 2],
    ]);
    expect(layout.dimension).toBe(18);
    const w = bagOfBonds(h2o.numbers, h2o.positionsA, layout);
    const expectedW = [HH, HH, 0, 0, 0, OO, HHw, 0, 0, 0, 0, 0, 0, 0, 0, 0, OH, OH];
    for (let k = 0; k < 18; k++) expect(w[k]).toBeCloseTo(expectedW[k], 12);
    const m = bagOfBonds(ch4.numbers, ch4.positionsA, layout);
    const expected = [HH, HH, HH, HH, CC, 0, HHm, HHm, HHm, HHm, HHm, HHm, CH, CH, CH, CH, 0, 0];
    for (let k = 0; k < 18; k++) expect(m[k]).toBeCloseTo(expected[k], 12);
  });

  it('bags are sorted in decreasing order', () => {
    // A bent, asymmetric water: the two H-O entries differ and must come out larger first.
    const w = { numbers: [1, 8, 1], positionsA: A([2.2, 0, 0, 0, 0, 0, 0, 1.7, 0.3]) };
    const layout = fitBagLayout([w]);
    const v = bagOfBonds(w.numbers, w.positionsA, layout);
    expect(v[4]).toBeGreaterThan(v[5]);
    expect(v[4]).toBeCloseTo(8 / Math.hypot(1.7, 0.3), 12);
    expect(v[5]).toBeCloseTo(8 / 2.2, 12);
  });

  it('a structure that does not fit the layout is an error, not a truncation', () => {
    const layout = fitBagLayout([h2o]);
    expect(() => bagOfBonds(ch4.numbers, ch4.positionsA, layout)).toThrow(/no bag for C/);
    const o2 = { numbers: [8, 8], positionsA: [0, 0, 0, 1.2, 0, 0] };
    const layout2 = fitBagLayout([h2o, o2]);
    const twoWaters = { numbers: [1, 8, 1, 1, 8, 1], positionsA: [...h2o.positionsA, ...h2o.positionsA.map((x, k) => (k % 3 === 0 ? x + 5 : x))] };
    expect(() => bagOfBonds(twoWaters.numbers, twoWaters.positionsA, layout2)).toThrow(/needs \d+ slots but the layout has/);
  });
});
