// The tabulated PaiNN filters (painnFilterTable.ts): the exact filter's slopes are the central
// differences of its values, the Taylor branch of sin(kr)/r meets Math.sin's, the quintic Hermite
// interpolant reproduces the nodes, its slope is the derivative of its own values (what keeps forces
// conservative), and its error against the exact filter at the default node count is measured here
// (the figures quoted in painnFilterTable.ts). Engine-level checks (energies, forces, stress of the
// table path vs the exact path) are in painnFast.spec.ts.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../space/rng';
import { besselDerivatives, buildFilterTable, cutoffDerivatives, exactFilter, defaultFilterTableIntervals, interpolateFilter, type FilterCutoff } from './painnFilterTable';

const K = 16, F3 = 96; // the default model: F = 32, K = 16, rc = 5 Å
function weights(seed: number) {
  const rng = createRng(seed);
  return { fk: Float64Array.from({ length: K * F3 }, () => 0.3 * rng.normal()), fb: Float64Array.from({ length: F3 }, () => 0.3 * rng.normal()) };
}
const cutoffs: FilterCutoff[] = [{ rcA: 5, poly: false, p: 6 }, { rcA: 5, poly: true, p: 6 }];
const maxAbs = (a: Float64Array) => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

describe('tabulated PaiNN filters', () => {
  it('exact filter: W\' and W\'\' == central differences of W and W\' (cosine and polynomial cutoffs, r from 0.01 to 4.9 Å)', () => {
    const { fk, fb } = weights(1);
    const w = new Float64Array(F3), dw = new Float64Array(F3), ddw = new Float64Array(F3);
    const wp = new Float64Array(F3), dwp = new Float64Array(F3), wm = new Float64Array(F3), dwm = new Float64Array(F3), tmp = new Float64Array(F3);
    const step = 1e-5;
    for (const c of cutoffs) {
      for (const r of [0.01, 0.04, 0.3, 1.1, 2.35, 3.84, 4.5, 4.9]) {
        exactFilter(r, fk, fb, K, F3, c, w, dw, ddw);
        exactFilter(r + step, fk, fb, K, F3, c, wp, dwp, tmp);
        exactFilter(r - step, fk, fb, K, F3, c, wm, dwm, tmp);
        const s1 = maxAbs(dw), s2 = maxAbs(ddw);
        for (let o = 0; o < F3; o++) {
          expect(Math.abs((wp[o] - wm[o]) / (2 * step) - dw[o])).toBeLessThan(1e-7 * s1);
          expect(Math.abs((dwp[o] - dwm[o]) / (2 * step) - ddw[o])).toBeLessThan(1e-7 * s2);
        }
      }
    }
  });

  it('sin(kr)/r: the Taylor branch (kr < 0.5) == the closed form at the switch, the limits at r = 0; cutoff derivatives == central differences', () => {
    for (const k of [Math.PI / 5, (16 * Math.PI) / 5]) {
      const r = 0.5 / k;
      const [b, db, ddb] = besselDerivatives(k, r * (1 - 1e-12)); // series
      const x = 0.5, bd = Math.sin(x) / r, dbd = (k * Math.cos(x) - bd) / r, ddbd = -k * k * bd - (2 * dbd) / r;
      expect(Math.abs(b - bd)).toBeLessThan(1e-13 * k);
      expect(Math.abs(db - dbd)).toBeLessThan(1e-12 * k * k);
      expect(Math.abs(ddb - ddbd)).toBeLessThan(1e-11 * k * k * k);
      const [b0, db0, ddb0] = besselDerivatives(k, 0);
      expect(b0).toBeCloseTo(k, 15);
      expect(db0).toBe(0);
      expect(ddb0).toBeCloseTo((-k * k * k) / 3, 12);
    }
    for (const c of cutoffs) for (const r of [0.2, 2.5, 4.8]) {
      const [, d1, d2] = cutoffDerivatives(r, c), h = 1e-5;
      const [fp, dp] = cutoffDerivatives(r + h, c), [fm, dm] = cutoffDerivatives(r - h, c);
      expect(Math.abs((fp - fm) / (2 * h) - d1)).toBeLessThan(1e-9);
      expect(Math.abs((dp - dm) / (2 * h) - d2)).toBeLessThan(1e-8);
    }
  });

  it(`interpolant: the nodes exactly, error vs the exact filter at the default ${defaultFilterTableIntervals(K)} intervals (value < 1e-11, slope < 1e-9 of max), slope == its own derivative, C¹ at nodes`, () => {
    const { fk, fb } = weights(2);
    const M = defaultFilterTableIntervals(K), rc = 5, h = rc / M;
    const w = new Float64Array(F3), dw = new Float64Array(F3), we = new Float64Array(F3), dwe = new Float64Array(F3), ddwe = new Float64Array(F3);
    const wp = new Float64Array(F3), wm = new Float64Array(F3);
    const rng = createRng(5);
    for (const c of cutoffs) {
      const tab = buildFilterTable(fk, fb, K, F3, c, M);
      expect(tab.length).toBe((M + 1) * 3 * F3);
      for (const m of [0, 1, 117, M - 1]) {
        interpolateFilter(tab, F3, M, rc, m * h, w, dw);
        exactFilter(m * h, fk, fb, K, F3, c, we, dwe, ddwe);
        for (let o = 0; o < F3; o++) {
          expect(Math.abs(w[o] - we[o])).toBeLessThan(1e-14 * maxAbs(we) + 1e-15);
          expect(Math.abs(dw[o] - dwe[o])).toBeLessThan(1e-12 * maxAbs(dwe) + 1e-15);
        }
      }
      let ew = 0, ed = 0, mw = 0, md = 0;
      for (let s = 0; s < 3000; s++) {
        const r = rng.uniform(0, rc);
        interpolateFilter(tab, F3, M, rc, r, w, dw);
        exactFilter(r, fk, fb, K, F3, c, we, dwe, ddwe);
        for (let o = 0; o < F3; o++) {
          ew = Math.max(ew, Math.abs(w[o] - we[o]));
          ed = Math.max(ed, Math.abs(dw[o] - dwe[o]));
          mw = Math.max(mw, Math.abs(we[o]));
          md = Math.max(md, Math.abs(dwe[o]));
        }
        if (s < 200) {
          // the slope is the derivative of the interpolated values (step inside one interval)
          const st = 1e-7 * h, x = Math.min(Math.max(r, 2 * st), rc - 2 * st);
          interpolateFilter(tab, F3, M, rc, x, w, dw);
          interpolateFilter(tab, F3, M, rc, x + st, wp, null);
          interpolateFilter(tab, F3, M, rc, x - st, wm, null);
          const sc = maxAbs(dw);
          if (Math.floor((x + st) / h) === Math.floor((x - st) / h))
            for (let o = 0; o < F3; o++) expect(Math.abs((wp[o] - wm[o]) / (2 * st) - dw[o])).toBeLessThan(1e-5 * sc);
        }
      }
      console.log(`[filter table ${c.poly ? 'polynomial' : 'cosine'}, M ${M}, ${((tab.length * 8) / 1e6).toFixed(2)} MB] max error / max: W ${(ew / mw).toExponential(2)}, dW/dr ${(ed / md).toExponential(2)}`);
      expect(ew / mw).toBeLessThan(1e-11);
      expect(ed / md).toBeLessThan(1e-9);
      // C¹ across a node: the slopes just left and right of r_m agree
      const rn = 300 * h;
      interpolateFilter(tab, F3, M, rc, rn - 1e-12, w, dw);
      interpolateFilter(tab, F3, M, rc, rn + 1e-12, wp, dwe);
      for (let o = 0; o < F3; o++) expect(Math.abs(dw[o] - dwe[o])).toBeLessThan(1e-9 * maxAbs(dw));
    }
  });

  it('coarse table (16 intervals): the slope is the derivative of the interpolated values, not the exact slope', () => {
    const { fk, fb } = weights(4);
    const M = 16, rc = 5, h = rc / M, st = 1e-6;
    const tab = buildFilterTable(fk, fb, K, F3, cutoffs[0], M);
    const w = new Float64Array(F3), dw = new Float64Array(F3), wp = new Float64Array(F3), wm = new Float64Array(F3), we = new Float64Array(F3), dwe = new Float64Array(F3), dd = new Float64Array(F3);
    let dOwn = 0, dExact = 0, sc = 0;
    for (let q = 0; q < 40; q++) {
      const r = (Math.floor(q / 3) + 0.2 + 0.3 * (q % 3)) * h;
      interpolateFilter(tab, F3, M, rc, r, w, dw);
      interpolateFilter(tab, F3, M, rc, r + st, wp, null);
      interpolateFilter(tab, F3, M, rc, r - st, wm, null);
      exactFilter(r, fk, fb, K, F3, cutoffs[0], we, dwe, dd);
      for (let o = 0; o < F3; o++) {
        dOwn = Math.max(dOwn, Math.abs((wp[o] - wm[o]) / (2 * st) - dw[o]));
        dExact = Math.max(dExact, Math.abs(dwe[o] - dw[o]));
        sc = Math.max(sc, Math.abs(dw[o]));
      }
    }
    expect(dOwn / sc).toBeLessThan(1e-8);
    expect(dExact / sc).toBeGreaterThan(1e-3); // the coarse interpolant is far from the exact filter, so the check above has teeth
  });

  it('a bad interval count is refused with the fix', () => {
    const { fk, fb } = weights(3);
    expect(() => buildFilterTable(fk, fb, K, F3, cutoffs[0], 0)).toThrow(/intervals must be a positive integer, got 0/);
    expect(() => buildFilterTable(fk, fb, K, F3, cutoffs[0], 10.5)).toThrow(/positive integer/);
  });
});
