// Coulomb matrices, sorted CMs, spectra and bags of bonds of eight QM7 molecules against an
// independent numpy implementation (fixtures/representations/qm7_reference.json, made by
// scripts/fixtures/gen_representations.py), and one column of the original qm7.mat matrix X.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeFrame } from '../atoms/frame';
import { BOHR_A } from '../units';
import { bagOfBonds, fitBagLayout } from './bagOfBonds';
import { coulombEigenvalues, coulombMatrix, sortedCoulombMatrix } from './coulombMatrix';

interface Reference {
  bohr_a: number;
  n_max: number;
  bob_layout: [string, number, number, number][];
  molecules: { index: number; symbols: string[]; positions_a: number[][]; coulomb_matrix: number[]; sorted_cm: number[]; eigenvalues: number[]; bob: number[] }[];
  qm7_mat_check: { molecule: number; permutation: number[]; x_column_0: number[] };
}

const ref = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/representations/qm7_reference.json', import.meta.url)), 'utf8')) as Reference;
const frames = ref.molecules.map((m) => makeFrame({ symbols: m.symbols, positionsA: m.positions_a.flat() }));

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, rel: number): void {
  expect(a.length).toBe(b.length);
  let scale = 1;
  for (let k = 0; k < b.length; k++) scale = Math.max(scale, Math.abs(b[k]));
  for (let k = 0; k < b.length; k++) expect(Math.abs(a[k] - b[k])).toBeLessThan(rel * scale);
}

describe('representations against numpy on QM7 molecules', () => {
  it('uses the same Bohr radius as the QM7 conversion (CODATA 2018 vs ASE\'s 2014: 1e-9 relative)', () => {
    expect(Math.abs(BOHR_A / ref.bohr_a - 1)).toBeLessThan(1e-8);
  });

  ref.molecules.forEach((m, k) => {
    it(`molecule ${m.index} (${m.symbols.length} atoms): CM, sorted CM, spectrum`, () => {
      const f = frames[k];
      expectClose(coulombMatrix(f.numbers, f.positionsA), m.coulomb_matrix, 1e-8);
      expectClose(sortedCoulombMatrix(f.numbers, f.positionsA, ref.n_max), m.sorted_cm, 1e-8);
      expectClose(coulombEigenvalues(f.numbers, f.positionsA, ref.n_max), m.eigenvalues, 1e-8);
    });
  });

  it('bag of bonds: same layout and vectors', () => {
    const layout = fitBagLayout(frames);
    expect(layout.bags.map((b) => [b.diagonal ? 'diag' : 'pair', b.zA, b.zB, b.size])).toEqual(ref.bob_layout);
    ref.molecules.forEach((m, k) => expectClose(bagOfBonds(frames[k].numbers, frames[k].positionsA, layout), m.bob, 1e-8));
  });

  it('reproduces a column of the original qm7.mat Coulomb matrix of ethanol (float32 data, 1e-5)', () => {
    const c = ref.qm7_mat_check;
    const k = ref.molecules.findIndex((m) => m.index === c.molecule);
    const f = frames[k];
    const n = f.numbers.length;
    const M = coulombMatrix(f.numbers, f.positionsA);
    const p = c.permutation;
    c.x_column_0.forEach((x, r) => expect(Math.abs(M[p[r] * n + p[0]] - x)).toBeLessThan(1e-5 * Math.max(1, x)));
  });
});
