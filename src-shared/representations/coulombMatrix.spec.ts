// Coulomb matrix, sorted form and eigenvalue spectrum against values computed by hand.
// Geometries are given in Bohr (converted to Å with BOHR_A) so that every entry is a short fraction.
import { describe, expect, it } from 'vitest';
import { BOHR_A } from '../units';
import { coulombEigenvalues, coulombMatrix, rowNormOrder, sortedCoulombMatrix } from './coulombMatrix';
import { symmetricEigenvalues } from './symmetricEigen';

const A = (bohr: number[]) => bohr.map((x) => x * BOHR_A);

// H2O with a 90° angle: O at the origin, H at 1.8 Bohr along x and along y (H-H = 1.8·√2 Bohr).
// Atom order in the file: H, O, H (so that sorting has something to do).
const h2o = { numbers: [1, 8, 1], positionsA: A([1.8, 0, 0, 0, 0, 0, 0, 1.8, 0]) };
const OO = 0.5 * 8 ** 2.4; // 73.51669... (QM7's X[0,0] for an O atom, see the QM7 README)
const HH = 0.5;
const OH = (8 * 1) / 1.8; // 4.4444...
const HHp = 1 / (1.8 * Math.SQRT2); // 0.392837...

// CH4: C at the origin, H at (±a, ±a, ±a) with an even number of minus signs, a = 1.2 Bohr:
// C-H = a√3 = 2.07846 Bohr, H-H = 2a√2 = 3.39411 Bohr.
const a = 1.2;
const ch4 = { numbers: [6, 1, 1, 1, 1], positionsA: A([0, 0, 0, a, a, a, a, -a, -a, -a, a, -a, -a, -a, a]) };
const CC = 0.5 * 6 ** 2.4; // 36.8581...
const CH = 6 / (a * Math.sqrt(3)); // 2.88675...
const HH4 = 1 / (2 * a * Math.SQRT2); // 0.294628...

describe('Coulomb matrix (atomic units)', () => {
  it('diagonal ½Z^2.4 and Z_iZ_j/r_Bohr for H2O', () => {
    expect(OO).toBeCloseTo(73.51669, 4);
    const m = coulombMatrix(h2o.numbers, h2o.positionsA);
    const expected = [HH, OH, HHp, OH, OO, OH, HHp, OH, HH];
    for (let k = 0; k < 9; k++) expect(m[k]).toBeCloseTo(expected[k], 12);
  });

  it('sorted form of H2O: O first (largest row norm), packed lower triangle, padding zeros', () => {
    expect(rowNormOrder(coulombMatrix(h2o.numbers, h2o.positionsA), 3)[0]).toBe(1);
    const v = sortedCoulombMatrix(h2o.numbers, h2o.positionsA, 4);
    // rows: O; H; H; (pad)  ->  [OO], [OH, HH], [OH, HH', HH], [0, 0, 0, 0]
    const expected = [OO, OH, HH, OH, HHp, HH, 0, 0, 0, 0];
    expect(v.length).toBe(10);
    for (let k = 0; k < 10; k++) expect(v[k]).toBeCloseTo(expected[k], 12);
  });

  it('eigenvalues of H2O: c - e from the antisymmetric H combination, a 2×2 block for the rest', () => {
    // M = [[c, b, e], [b, A, b], [e, b, c]] (H, O, H): (1, 0, -1) gives c - e; the symmetric
    // subspace {(0,1,0), (1,0,1)/√2} gives [[A, √2 b], [√2 b, c + e]].
    const tr = OO + HH + HHp, disc = Math.sqrt((OO - HH - HHp) ** 2 + 8 * OH * OH);
    const expected = [(tr + disc) / 2, (tr - disc) / 2, HH - HHp].sort((x, y) => Math.abs(y) - Math.abs(x));
    const v = coulombEigenvalues(h2o.numbers, h2o.positionsA, 5);
    for (let k = 0; k < 3; k++) expect(v[k]).toBeCloseTo(expected[k], 10);
    expect(v[3]).toBe(0);
    expect(v[4]).toBe(0);
  });

  it('CH4: sorted entries and the tetrahedral spectrum (one 2×2 block, a triply degenerate c - e)', () => {
    const v = sortedCoulombMatrix(ch4.numbers, ch4.positionsA, 5);
    const expected = [CC, CH, HH, CH, HH4, HH, CH, HH4, HH4, HH, CH, HH4, HH4, HH4, HH];
    for (let k = 0; k < 15; k++) expect(v[k]).toBeCloseTo(expected[k], 12);
    // [[A, 2b], [2b, c + 3e]] on {(1,0,0,0,0), (0,1,1,1,1)/2}; c - e on the 3 vectors ⟂ (1,1,1,1).
    const tr = CC + HH + 3 * HH4, disc = Math.sqrt((CC - HH - 3 * HH4) ** 2 + 16 * CH * CH);
    const ev = coulombEigenvalues(ch4.numbers, ch4.positionsA, 5);
    const expectedEv = [(tr + disc) / 2, (tr - disc) / 2, HH - HH4, HH - HH4, HH - HH4].sort((x, y) => Math.abs(y) - Math.abs(x));
    for (let k = 0; k < 5; k++) expect(ev[k]).toBeCloseTo(expectedEv[k], 10);
  });

  it('the QM7 README worked example: ethanol X[:,0] starts 73.51669 (O), 17.88532', () => {
    // 0.5·8^2.4 and the C-O entry 6·8/r: r = 48/17.88532 Bohr = 1.4203 Å, a C-O single bond.
    expect(0.5 * 8 ** 2.4).toBeCloseTo(73.51669, 4);
    expect(((6 * 8) / 17.88532) * BOHR_A).toBeCloseTo(1.4202, 3);
  });

  it('refuses a molecule larger than the padding', () => {
    expect(() => sortedCoulombMatrix(ch4.numbers, ch4.positionsA, 4)).toThrow(/5 atoms/);
    expect(() => coulombEigenvalues(ch4.numbers, ch4.positionsA, 3)).toThrow(/5 atoms/);
  });
});

describe('Jacobi eigenvalues', () => {
  it('match the characteristic polynomial of a random symmetric matrix (trace, Frobenius norm, det)', () => {
    const n = 6;
    const m = new Float64Array(n * n);
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) m[i * n + j] = m[j * n + i] = rnd();
    const ev = symmetricEigenvalues(m, n);
    let tr = 0, fro = 0;
    for (let i = 0; i < n; i++) tr += m[i * n + i];
    for (let i = 0; i < n * n; i++) fro += m[i] * m[i];
    expect(ev.reduce((s, x) => s + x, 0)).toBeCloseTo(tr, 12);
    expect(ev.reduce((s, x) => s + x * x, 0)).toBeCloseTo(fro, 12);
    // det(M - λI) = 0 for each λ: check by LU-free Gaussian elimination determinant.
    for (const lam of ev) {
      const b = m.slice();
      for (let i = 0; i < n; i++) b[i * n + i] -= lam;
      let det = 1;
      for (let c = 0; c < n; c++) {
        let p = c;
        for (let r = c + 1; r < n; r++) if (Math.abs(b[r * n + c]) > Math.abs(b[p * n + c])) p = r;
        if (p !== c) {
          for (let k = 0; k < n; k++) [b[c * n + k], b[p * n + k]] = [b[p * n + k], b[c * n + k]];
          det = -det;
        }
        det *= b[c * n + c];
        if (b[c * n + c] === 0) break;
        for (let r = c + 1; r < n; r++) {
          const f = b[r * n + c] / b[c * n + c];
          for (let k = c; k < n; k++) b[r * n + k] -= f * b[c * n + k];
        }
      }
      expect(Math.abs(det)).toBeLessThan(1e-10);
    }
  });
});
