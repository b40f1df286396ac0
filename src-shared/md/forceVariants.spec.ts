// Force variants keep the reference energy and change only the forces: noise is seeded, white and of
// the requested RMS; linear biases are not gradients (closed-loop work ≠ 0, while the reference's is
// 0); the anisotropic x scaling is Newton with an x-mass m/(1+ε), so NVE conserves the modified
// energy E_pot + K_x/(1+ε) + K_y + K_z instead of E_pot + E_kin; the direct variant takes energy from
// one calculator and forces from another.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AtomicSystem, Calculator } from '../calculators/calculator';
import { massAmu } from '../atoms/elements';
import { calculatorFromSpec } from '../potentials/registry';
import { createRng } from '../space/rng';
import { AMU_EV_FS2_PER_A2 } from '../units';
import {
  anisotropicForceScalingCalculator,
  directForcesCalculator,
  expectedNoiseHeatingEvPerFs,
  noisyForcesCalculator,
  rotatedForcesCalculator,
  rotationMatrix,
} from './forceVariants';
import { maxwellBoltzmannVelocities } from './maxwellBoltzmann';
import { velocityVerlet } from './velocityVerlet';
import { ARGON_LJ, testLennardJones } from './testPotentials';

const SW_PATH = fileURLToPath(new URL('../../resources/potentials/Si_StillingerWeber1985.sw', import.meta.url));

function stillingerWeber(): Calculator {
  const r = calculatorFromSpec(`sw:${SW_PATH}`, readFileSync(SW_PATH, 'utf8'));
  if ('error' in r) throw new Error(r.error);
  return r.calculator;
}

/** Diamond-cubic Si, reps³ conventional cells (8 atoms each), positions jittered by `jitterA`. */
function silicon(reps: number, jitterA = 0, seed = 7): AtomicSystem {
  const a = 5.431;
  const basis = [0, 0, 0, 0, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0, 0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.25, 0.75, 0.75, 0.75, 0.25];
  const x: number[] = [];
  for (let i = 0; i < reps; i++) for (let j = 0; j < reps; j++) for (let k = 0; k < reps; k++) for (let b = 0; b < 8; b++) x.push((i + basis[3 * b]) * a, (j + basis[3 * b + 1]) * a, (k + basis[3 * b + 2]) * a);
  const rng = createRng(seed);
  return {
    numbers: new Int32Array(x.length / 3).fill(14),
    positionsA: Float64Array.from(x, (v) => v + jitterA * rng.normal()),
    cellA: new Float64Array([reps * a, 0, 0, 0, reps * a, 0, 0, 0, reps * a]),
    pbc: [true, true, true],
  };
}

/** ∮ F·dx around x(θ) = x0 + ρ(cos θ d1 + sin θ d2) (periodic trapezoid, M points) and Σ|F·dx|. */
function loopWork(calc: Calculator, sys: AtomicSystem, rhoA: number, M = 64): { workEv: number; scaleEv: number } {
  const rng = createRng(11);
  const n3 = sys.positionsA.length;
  const unit = () => {
    const d = Float64Array.from({ length: n3 }, () => rng.normal());
    const norm = Math.hypot(...d);
    return d.map((v) => v / norm);
  };
  const d1 = unit(), d2 = unit();
  let work = 0, scale = 0;
  for (let m = 0; m < M; m++) {
    const th = (2 * Math.PI * m) / M;
    const pos = sys.positionsA.map((v, k) => v + rhoA * (Math.cos(th) * d1[k] + Math.sin(th) * d2[k]));
    const F = calc.compute({ ...sys, positionsA: pos }, { forces: true }).forcesEvPerA!;
    for (let k = 0; k < n3; k++) {
      const dx = rhoA * (-Math.sin(th) * d1[k] + Math.cos(th) * d2[k]) * ((2 * Math.PI) / M);
      work += F[k] * dx;
      scale += Math.abs(F[k] * dx);
    }
  }
  return { workEv: work, scaleEv: scale };
}

describe('force variants', () => {
  const sys = silicon(2, 0.05);

  it('noise: reference energy, stress and per-atom energies; forces = reference + seeded white noise of RMS σ, fresh each call', () => {
    const ref = stillingerWeber().compute(sys, { forces: true, stress: true, energies: true });
    const noisy = noisyForcesCalculator(stillingerWeber(), { sigmaEvPerA: 0.2, seed: 5 });
    const a = noisy.compute(sys, { forces: true, stress: true, energies: true });
    expect(a.energyEv).toBe(ref.energyEv);
    expect(Array.from(a.stressEvPerA3!)).toEqual(Array.from(ref.stressEvPerA3!));
    expect(Array.from(a.energiesEv!)).toEqual(Array.from(ref.energiesEv!));
    expect(Array.from(noisy.referenceForcesEvPerA!)).toEqual(Array.from(ref.forcesEvPerA!));
    const first = Float64Array.from(a.forcesEvPerA!);
    const noise = first.map((f, q) => f - ref.forcesEvPerA![q]);
    const rms = Math.sqrt(noise.reduce((s, v) => s + v * v, 0) / noise.length);
    expect(rms).toBeGreaterThan(0.2 * 0.85); // 192 samples: RMS within ±15 %
    expect(rms).toBeLessThan(0.2 * 1.15);
    const second = noisy.compute(sys, { forces: true }).forcesEvPerA!;
    expect(second.some((f, q) => f !== first[q])).toBe(true); // fresh noise at every call
    noisy.reset!();
    expect(Array.from(noisy.compute(sys, { forces: true }).forcesEvPerA!)).toEqual(Array.from(first)); // reset restarts the stream
    // energy-only requests go straight through
    expect(noisy.compute(sys).energyEv).toBe(ref.energyEv);
  });

  it('expected noise heating: Σ_i 3σ²dt/(2m_i)', () => {
    const m = massAmu(14);
    expect(expectedNoiseHeatingEvPerFs([m, m], 0.1, 2)).toBeCloseTo((2 * 3 * 0.01 * 2) / (2 * m * AMU_EV_FS2_PER_A2), 15);
  });

  it('closed-loop work: ~0 for the reference, clearly non-zero for rotated and x-scaled forces', () => {
    // measured: reference ~5e-16 eV, rotated 1.0e-3 eV, x-scaled 2.5e-4 eV (Σ|F·dx| ≈ 7.3 eV, ρ = 0.1 Å)
    const ref = loopWork(stillingerWeber(), sys, 0.1);
    expect(Math.abs(ref.workEv)).toBeLessThan(1e-12 * ref.scaleEv);
    for (const calc of [rotatedForcesCalculator(stillingerWeber(), { fraction: 0.05 }), anisotropicForceScalingCalculator(stillingerWeber(), 0.05)]) {
      const w = loopWork(calc, sys, 0.1);
      expect(Math.abs(w.workEv)).toBeGreaterThan(1e-5 * w.scaleEv);
      // a curl, not round-off: the loop work grows as the enclosed area, ρ²
      const w3 = loopWork(calc, sys, 0.3);
      expect(w3.workEv / w.workEv).toBeGreaterThan(9 * 0.8);
      expect(w3.workEv / w.workEv).toBeLessThan(9 * 1.2);
    }
  });

  it('rotated forces: |ΔF| = fraction · |F⊥axis| for every atom, |F| kept, rotation matrix orthogonal', () => {
    const R = rotationMatrix([1, 1, 1], 0.3);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      let d = 0;
      for (let k = 0; k < 3; k++) d += R[3 * i + k] * R[3 * j + k];
      expect(d).toBeCloseTo(i === j ? 1 : 0, 14);
    }
    const c = rotatedForcesCalculator(stillingerWeber(), { fraction: 0.05 });
    const f = c.compute(sys, { forces: true }).forcesEvPerA!;
    const r = c.referenceForcesEvPerA!;
    for (let i = 0; i < r.length; i += 3) {
      const nr = Math.hypot(r[i], r[i + 1], r[i + 2]);
      const along = (r[i] + r[i + 1] + r[i + 2]) / Math.sqrt(3);
      const perp = Math.sqrt(Math.max(0, nr * nr - along * along));
      expect(Math.hypot(f[i] - r[i], f[i + 1] - r[i + 1], f[i + 2] - r[i + 2])).toBeCloseTo(0.05 * perp, 12);
      expect(Math.hypot(f[i], f[i + 1], f[i + 2])).toBeCloseTo(nr, 12);
    }
  });

  it('x scaling: NVE conserves E_pot + K_x/(1+ε) + K_y + K_z (an x-mass m/(1+ε)), not E_pot + E_kin', () => {
    const eps = 0.05;
    const start = silicon(2);
    const masses = new Float64Array(start.numbers.length).fill(massAmu(14));
    const v0 = maxwellBoltzmannVelocities(masses, 300, createRng(3));
    const integ = velocityVerlet(anisotropicForceScalingCalculator(stillingerWeber(), eps), { dtFs: 1 });
    const s = integ.init({ ...start, massesAmu: masses, velocitiesAPerFs: v0 });
    const modified = () => {
      let kx = 0, kyz = 0;
      for (let i = 0; i < masses.length; i++) {
        const v = s.velocitiesAPerFs;
        kx += 0.5 * masses[i] * AMU_EV_FS2_PER_A2 * v[3 * i] ** 2;
        kyz += 0.5 * masses[i] * AMU_EV_FS2_PER_A2 * (v[3 * i + 1] ** 2 + v[3 * i + 2] ** 2);
      }
      return s.potentialEnergyEv + kx / (1 + eps) + kyz;
    };
    const m0 = modified(), e0 = s.conservedEnergyEv;
    let maxModified = 0, maxPlain = 0;
    for (let k = 0; k < 1500; k++) {
      integ.step(s);
      maxModified = Math.max(maxModified, Math.abs(modified() - m0));
      maxPlain = Math.max(maxPlain, Math.abs(s.conservedEnergyEv - e0));
    }
    const n = masses.length;
    expect((maxModified / n) * 1e3).toBeLessThan(0.1); // meV/atom: the integrator's own fluctuation
    expect(maxPlain).toBeGreaterThan(5 * maxModified); // E_pot + E_kin moves by ~ε K_x
  });

  it('direct: energy, stress and per-atom energies from one calculator, forces from the other', () => {
    const ar = { ...sys, numbers: new Int32Array(sys.numbers.length).fill(18), positionsA: sys.positionsA.map((v) => v * 1.6), cellA: sys.cellA!.map((v) => v * 1.6) };
    const e = testLennardJones(ARGON_LJ).compute(ar, { forces: true, stress: true, energies: true });
    const other = { ...ARGON_LJ, sigmaA: 3.3 };
    const f = testLennardJones(other).compute(ar, { forces: true });
    const d = directForcesCalculator(testLennardJones(ARGON_LJ), testLennardJones(other));
    expect(d.variantKind).toBe('direct');
    const r = d.compute(ar, { forces: true, stress: true, energies: true });
    expect(r.energyEv).toBe(e.energyEv);
    expect(Array.from(r.stressEvPerA3!)).toEqual(Array.from(e.stressEvPerA3!));
    expect(Array.from(r.energiesEv!)).toEqual(Array.from(e.energiesEv!));
    expect(Array.from(r.forcesEvPerA!)).toEqual(Array.from(f.forcesEvPerA!));
    expect(Array.from(d.referenceForcesEvPerA!)).toEqual(Array.from(e.forcesEvPerA!));
  });
});
