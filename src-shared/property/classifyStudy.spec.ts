import { describe, expect, it } from 'vitest';
import type { Frame } from '../atoms/frame';
import { makeFrame } from '../atoms/frame';
import { createRng } from '../space/rng';
import { randomFolds } from './crossValidation';
import { runClassifierStudy } from './classifyStudy';
import { classesOf } from './targets';

/** Small molecules: CH4-like (class "alkane") or H2O-like (class "water"), randomly distorted. */
function toy(n: number, seed: number): { frames: Frame[]; names: string[] } {
  const rng = createRng(seed);
  const frames: Frame[] = [], names: string[] = [];
  for (let i = 0; i < n; i++) {
    const water = rng.next() < 0.5;
    const syms = water ? ['O', 'H', 'H'] : ['C', 'H', 'H', 'H', 'H'];
    const base = water ? [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0] : [0, 0, 0, 0.63, 0.63, 0.63, -0.63, -0.63, 0.63, -0.63, 0.63, -0.63, 0.63, -0.63, -0.63];
    frames.push(makeFrame({ symbols: syms, positionsA: base.map((x) => x + 0.05 * rng.normal()) }));
    names.push(water ? 'water' : 'alkane');
  }
  return { frames, names };
}

describe('runClassifierStudy', () => {
  it('separates two molecule types perfectly and counts the confusion matrix by hand', () => {
    const { frames, names } = toy(40, 1);
    const target = classesOf('kind', names);
    if ('error' in target) throw new Error(target.error);
    const r = runClassifierStudy(frames, { representation: 'bob-sums', target, folds: randomFolds(40, 4, 2) });
    expect(r.classes).toEqual(['alkane', 'water']);
    expect(r.confusion.accuracy).toBe(1);
    const nWater = names.filter((s) => s === 'water').length;
    expect(r.confusion.matrix).toEqual([[40 - nWater, 0], [0, nWater]]);
    expect(r.folds.length).toBe(4);
    expect([...r.predicted].every((p, i) => r.classes[p] === names[i])).toBe(true);
  });

  it('a wrong label is visible off the diagonal, and missing labels are excluded', () => {
    const { frames, names } = toy(40, 3);
    const flipped = names.map((s, i) => (i === 5 ? (s === 'water' ? 'alkane' : 'water') : i === 6 ? '' : s));
    const target = classesOf('kind', flipped);
    if ('error' in target) throw new Error(target.error);
    const r = runClassifierStudy(frames, { representation: 'bob-sums', target, folds: randomFolds(40, 4, 2) });
    expect(r.n).toBe(39);
    expect(r.excluded).toBe(1);
    expect(r.confusion.accuracy).toBeCloseTo(38 / 39, 12);
    const off = r.confusion.matrix[0][1] + r.confusion.matrix[1][0];
    expect(off).toBe(1);
  });

  it('refuses a single class', () => {
    const { frames } = toy(8, 1);
    const target = classesOf('kind', frames.map(() => 'x'));
    if ('error' in target) throw new Error(target.error);
    expect(() => runClassifierStudy(frames, { representation: 'bob-sums', target, folds: randomFolds(8, 2, 1) })).toThrow(/at least 2 classes/);
  });
});
