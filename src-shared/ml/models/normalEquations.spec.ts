import { describe, expect, it } from 'vitest';
import { createRng } from '../../space/rng';
import { normalEquations, solveRegularized } from './normalEquations';

describe('normal equations', () => {
  it('addBlock equals row-by-row add (zero columns skipped), and the solve recovers exact weights', () => {
    const rng = createRng(4);
    const C = 7, R = 40;
    const truth = Float64Array.from({ length: C }, () => rng.normal());
    const rows = new Float64Array(R * C), y = new Float64Array(R);
    for (let q = 0; q < R; q++) {
      for (let a = 0; a < C; a++) rows[q * C + a] = a === 3 && q % 2 ? 0 : rng.normal(); // column 3 zero in odd rows
      for (let a = 0; a < C; a++) y[q] += rows[q * C + a] * truth[a];
    }
    const one = normalEquations(C), blk = normalEquations(C);
    for (let q = 0; q < R; q++) one.add(rows.subarray(q * C, (q + 1) * C), 0.7, y[q]);
    blk.addBlock(rows.subarray(0, 25 * C), 25, 0.7, y.subarray(0, 25));
    blk.addBlock(rows.subarray(25 * C), R - 25, 0.7, y.subarray(25));
    const a = one.finish(), b = blk.finish();
    a.AtA.forEach((v, k) => expect(b.AtA[k]).toBeCloseTo(v, 10));
    a.Aty.forEach((v, k) => expect(b.Aty[k]).toBeCloseTo(v, 10));
    expect(blk.yy).toBeCloseTo(one.yy, 10);
    const { x, loss } = solveRegularized(b.AtA, b.Aty, blk.yy, C, () => {});
    x.forEach((v, k) => expect(v).toBeCloseTo(truth[k], 8));
    expect(loss).toBeLessThan(1e-12);
  });
});
