// Conservation audit: the exact potentials' forces and stresses are the derivatives of their
// energies (to ~1e-8 with the fourth-order stencil); a toy whose forces and stress are scaled by
// 1.05 is flagged on both; the absolute-x toy, non-invariant but conservative, passes (each audit
// tests one property).
import { describe, expect, it } from 'vitest';
import { GPA_EV_PER_A3 } from '../units';
import { numericStress } from '../calculators/finiteDifference';
import { centralDerivative, conservationAudit, numericStressVoigt } from './conservation';
import { arKrLj, arKrTriclinic, argonLj, cluster, fixturePotential, rattledCrystal } from '../../test-support/auditSystems';
import { absolutePositionToy, nonConservativeToy } from './toyCalculators';
import { toVoigt } from './transforms';

it('the fourth-order stencil is exact for quartics', () => {
  const f = (t: number) => 3 - 2 * t + 0.5 * t ** 2 + 7 * t ** 3 - 4 * t ** 4;
  expect(centralDerivative(f, 0.1)).toBeCloseTo(-2, 12);
});

it('numericStressVoigt agrees with the project finite-difference stress', () => {
  const calc = arKrLj();
  const sys = arKrTriclinic(3);
  const a = numericStressVoigt(calc, sys, 1e-4);
  const b = toVoigt(numericStress(calc, sys, 1e-6));
  a.forEach((v, j) => expect(Math.abs(v - b[j]) / GPA_EV_PER_A3).toBeLessThan(1e-5));
});

describe('exact potentials pass', () => {
  it.each([
    ['LJ Ar cluster', argonLj, () => cluster(14, 3.8, 18, 1)],
    ['LJ Ar/Kr triclinic crystal', () => arKrLj(), () => arKrTriclinic(2)],
    ['EAM Cu', () => fixturePotential('eam:Cu_u3.eam'), () => rattledCrystal(3.615, 1, 29, 0.05, 3)],
    ['SW Si', () => fixturePotential('sw:Si.sw'), () => rattledCrystal(5.431, 1, 14, 0.05, 4, true)],
  ])('%s', (_n, make, sys) => {
    const r = conservationAudit(make(), [sys()], { seed: 5 });
    expect(r.verdict, r.flags.join('\n')).toBe('pass');
    expect(r.max_force_relative_error!).toBeLessThan(1e-7);
    const s = r.structures[0];
    expect(s.projected_force_ev_per_a).toHaveLength(6);
    // the rattle made the forces non-trivial
    expect(s.force_norm_ev_per_a!).toBeGreaterThan(1e-3);
    if (s.stress_gpa) {
      expect(r.max_stress_relative_error!).toBeLessThan(1e-6);
      expect(Math.max(...s.stress_gpa.map(Math.abs))).toBeGreaterThan(1e-3);
    } else expect(r.max_stress_error_gpa).toBeNull();
  });
});

describe('non-conservative toy', () => {
  it('forces and stress × 1.05 are flagged with relative errors near 0.05', () => {
    const r = conservationAudit(nonConservativeToy(fixturePotential('eam:Cu_u3.eam'), 1.05, 1.05), [rattledCrystal(3.615, 1, 29, 0.05, 3)], { seed: 5 });
    expect(r.verdict).toBe('flag');
    expect(r.flags.some((f) => f.includes('forces are not -dE/dx'))).toBe(true);
    expect(r.flags.some((f) => f.includes('stress is not'))).toBe(true);
    expect(r.max_force_relative_error!).toBeGreaterThan(0.005);
    expect(r.max_force_relative_error!).toBeLessThan(0.05 + 1e-6);
    expect(r.max_stress_relative_error!).toBeGreaterThan(0.04);
  });

  it('forces alone 1 % too large are caught along the direction F/|F|', () => {
    const r = conservationAudit(nonConservativeToy(argonLj(), 1.01, 1), [cluster(14, 3.8, 18, 1)], { seed: 1, directions: 12 });
    expect(r.verdict).toBe('flag');
    expect(r.flags.every((f) => f.includes('forces'))).toBe(true);
  });

  it('the absolute-x toy (not invariant, but conservative) passes', () => {
    const r = conservationAudit(absolutePositionToy(argonLj(), 0.01), [cluster(14, 3.8, 18, 1), rattledCrystal(5.26, 1, 18, 0.05, 2)], { seed: 2 });
    expect(r.verdict, r.flags.join('\n')).toBe('pass');
  });

  it('rattle and strain can be switched off: a perfect crystal has zero forces and stress', () => {
    const r = conservationAudit(argonLj(), [rattledCrystal(5.26, 1, 18, 0, 1)], { rattleA: 0, strainRattle: 0 });
    expect(r.structures[0].force_norm_ev_per_a!).toBeLessThan(1e-12);
    expect(r.verdict).toBe('pass');
  });
});
