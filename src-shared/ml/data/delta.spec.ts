import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../atoms/frame';
import { createLennardJones } from '../../potentials/lennardJones';
import { sumCalculator } from '../../calculators/calculator';
import { subtractBaseline } from './delta';

const lj = () => createLennardJones({ epsilonEv: 0.0104, sigmaA: 3.4, cutoffA: 8 });

function cluster(shift: number) {
  return makeFrame({
    symbols: ['Ar', 'Ar', 'Ar'],
    positionsA: [0, 0, 0, 3.8 + shift, 0, 0, 0, 3.9, 0.1 * shift],
    energyEv: -0.5 + shift,
    forcesEvPerA: Float64Array.from([0.1, 0.2, 0.3, -0.1, 0, 0, 0, -0.2, -0.3]),
    info: { energy_baseline: -0.4 + shift },
    arrays: { forces_baseline: { kind: 'real', width: 3, data: Float64Array.from([0.1, 0.1, 0.1, 0, 0, 0, 0, 0, 0]) } },
  });
}

describe('Δ-learning baselines', () => {
  it('potential baseline: reference = baseline + correction for energies and forces', () => {
    const frames = [cluster(0), cluster(0.2)];
    const { frames: d, report } = subtractBaseline(frames, { kind: 'potential', spec: 'lj' }, lj());
    for (let k = 0; k < frames.length; k++) {
      const b = lj().compute(frames[k], { forces: true });
      expect(d[k].energyEv! + b.energyEv).toBeCloseTo(frames[k].energyEv!, 12);
      for (let c = 0; c < 9; c++) expect(d[k].forcesEvPerA![c] + b.forcesEvPerA![c]).toBeCloseTo(frames[k].forcesEvPerA![c], 12);
    }
    expect(report.maskedEnergy + report.maskedForces).toBe(0);
    expect(frames[0].energyEv).toBe(-0.5); // inputs untouched
  });

  it('data baseline: subtracts stored keys and masks labels the baseline lacks', () => {
    const a = cluster(0);
    const b = cluster(0.1);
    delete b.arrays.forces_baseline;
    const { frames: d, report } = subtractBaseline([a, b], { kind: 'data', energyKey: 'energy_baseline' });
    expect(d[0].energyEv).toBeCloseTo(-0.1, 12);
    expect(Array.from(d[0].forcesEvPerA!)).toEqual([0, 0.1, 0.2, -0.1, 0, 0, 0, -0.2, -0.3].map((x, i) => (i < 3 ? [0.1, 0.2, 0.3][i] - 0.1 : x)));
    expect(d[1].forcesEvPerA).toBeUndefined();
    expect(report.maskedForces).toBe(1);
    expect(report.maskedEnergy).toBe(0);
  });

  it('a Δ-model evaluates as baseline + correction (sum calculator)', () => {
    const base = lj();
    const corr = createLennardJones({ epsilonEv: 0.001, sigmaA: 3.0, cutoffA: 6 });
    const total = sumCalculator([base, corr]);
    const f = cluster(0.3);
    const e = total.compute(f, { forces: true });
    expect(e.energyEv).toBeCloseTo(lj().compute(f).energyEv + createLennardJones({ epsilonEv: 0.001, sigmaA: 3.0, cutoffA: 6 }).compute(f).energyEv, 12);
  });
});
