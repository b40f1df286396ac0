// NVT integrators (Langevin BAOAB, Bussi velocity rescaling, Nosé-Hoover chains): they sample the
// canonical ensemble (mean temperature within its statistical error of the target, kinetic-energy
// variance N_f (k_B T)²/2), their conserved quantities do not drift, and the building blocks
// (χ² / gamma deviates, the exact kinetic-energy propagator) have the right distributions.
// Seeded: the outcomes are deterministic; the bounds are statistical (4 standard errors, block
// averaged) so that a different seed would pass too.
import { describe, expect, it } from 'vitest';
import { blockAverage } from '../analysis/statistics';
import { createRng } from '../space/rng';
import { KB_EV_PER_K } from '../units';
import { bussi, gammaDeviate, resampleKineticEnergy, sumOfSquaredGaussians } from './bussi';
import { fitDrift } from './drift';
import { langevin } from './langevin';
import { maxwellBoltzmannVelocities } from './maxwellBoltzmann';
import { noseHooverChain, suzukiYoshidaWeights } from './noseHooverChain';
import { temperatureK } from './observables';
import { totalMomentum, type Integrator } from './state';
import { ARGON_LJ, fccLattice, harmonicTether, testLennardJones } from './testPotentials';
import { velocityVerlet } from './velocityVerlet';

const T0 = 60; // K, solid argon
const DT = 5; // fs

function argon(seed: number) {
  const sys = fccLattice(5.3, [3, 3, 3]);
  const masses = new Float64Array(sys.numbers.length).fill(39.948);
  return { ...sys, massesAmu: masses, velocitiesAPerFs: maxwellBoltzmannVelocities(masses, T0, createRng(seed)) };
}

interface Sampled {
  meanT: ReturnType<typeof blockAverage>;
  /** ⟨(K − ⟨K⟩)²⟩ / (N_f (kT)²/2) with its block standard error. */
  varRatio: number;
  varRatioErr: number;
  drift: ReturnType<typeof fitDrift>;
  momentum: number;
}

/** Equilibrate 1000 steps, then sample every 2nd of `steps` steps. */
function sample(integ: Integrator, seed: number, steps = 20000): Sampled {
  const s = integ.init(argon(seed));
  for (let k = 0; k < 1000; k++) integ.step(s);
  const t: number[] = [], e: number[] = [], temps: number[] = [], kin: number[] = [];
  for (let k = 0; k < steps; k++) {
    integ.step(s);
    if (k % 2 === 0) {
      t.push(s.timeFs);
      e.push(s.conservedEnergyEv);
      temps.push(temperatureK(s));
      kin.push(s.kineticEnergyEv);
    }
  }
  const kT = KB_EV_PER_K * T0;
  const canon = (s.degreesOfFreedom * kT * kT) / 2;
  const kMean = kin.reduce((a, b) => a + b, 0) / kin.length;
  const dev2 = blockAverage(kin.map((x) => (x - kMean) ** 2));
  const p = totalMomentum(s.massesAmu, s.velocitiesAPerFs);
  return {
    meanT: blockAverage(temps),
    varRatio: dev2.mean / canon,
    varRatioErr: dev2.stdErr / canon,
    drift: fitDrift(t, e, s.numbers.length),
    momentum: Math.max(...p.map(Math.abs)),
  };
}

function expectCanonical(r: Sampled): void {
  // mean temperature within 4 standard errors (and within 1 K)
  expect(Math.abs(r.meanT.mean - T0)).toBeLessThan(Math.max(4 * r.meanT.stdErr, 0.05));
  expect(Math.abs(r.meanT.mean - T0)).toBeLessThan(1);
  // canonical kinetic-energy fluctuations (NVE would give about half of them)
  expect(Math.abs(r.varRatio - 1)).toBeLessThan(4 * r.varRatioErr);
  expect(Math.abs(r.varRatio - 1)).toBeLessThan(0.15);
}

describe('Bussi stochastic velocity rescaling', () => {
  const r = sample(bussi(testLennardJones(ARGON_LJ), { dtFs: DT, temperatureK: T0, tauFs: 100, rng: createRng(7) }), 1);

  it('samples the canonical temperature and kinetic-energy fluctuations', () => {
    // measured: T = 59.78 ± 0.20 K, var ratio 0.947 ± 0.032
    expectCanonical(r);
  });

  it('conserves its effective energy (no drift) and the zero total momentum', () => {
    expect(Math.abs(r.drift.slopeMevPerAtomPerPs)).toBeLessThan(1e-3);
    expect(r.momentum).toBeLessThan(1e-11);
  });
});

describe('Langevin BAOAB', () => {
  it('samples the canonical ensemble of LJ argon, COM momentum kept at zero', () => {
    const r = sample(langevin(testLennardJones(ARGON_LJ), { dtFs: DT, temperatureK: T0, frictionPerFs: 0.01, rng: createRng(7) }), 1);
    // measured: T = 59.89 ± 0.15 K, var ratio 0.92 ± 0.03
    expectCanonical(r);
    expect(r.momentum).toBeLessThan(1e-11);
    // the effective energy only accumulates the (small) discretisation work
    expect(Math.abs(r.drift.slopeMevPerAtomPerPs)).toBeLessThan(1e-3);
  });

  it('samples positions exactly for harmonic oscillators: ⟨U⟩ = ⟨K⟩ = 3N k_B T / 2', () => {
    const n = 64;
    const rng = createRng(11);
    const sites = Float64Array.from({ length: 3 * n }, () => 10 * rng.next());
    const T = 100;
    const integ = langevin(harmonicTether(sites, 0.5), { dtFs: DT, temperatureK: T, frictionPerFs: 0.02, rng: createRng(12), zeroMomentum: false });
    const s = integ.init({ numbers: new Int32Array(n).fill(18), positionsA: sites, cellA: null, pbc: [false, false, false] });
    expect(s.degreesOfFreedom).toBe(3 * n);
    for (let k = 0; k < 2000; k++) integ.step(s);
    const u: number[] = [], kin: number[] = [];
    for (let k = 0; k < 40000; k++) {
      integ.step(s);
      if (k % 4 === 0) {
        u.push(s.potentialEnergyEv);
        kin.push(s.kineticEnergyEv);
      }
    }
    const expected = 1.5 * n * KB_EV_PER_K * T;
    const bu = blockAverage(u), bk = blockAverage(kin);
    expect(Math.abs(bu.mean - expected)).toBeLessThan(4 * bu.stdErr);
    expect(Math.abs(bk.mean - expected)).toBeLessThan(4 * bk.stdErr);
    expect(bu.stdErr / expected).toBeLessThan(0.01);
    // canonical variance of U for 3N quadratic terms: 3N (kT)²/2
    const varU = blockAverage(u.map((x) => (x - bu.mean) ** 2));
    const canon = 1.5 * n * (KB_EV_PER_K * T) ** 2;
    expect(Math.abs(varU.mean - canon)).toBeLessThan(4 * varU.stdErr);
    expect(Math.abs(varU.mean / canon - 1)).toBeLessThan(0.1);
  });

  it('reduces to velocity Verlet at zero friction', () => {
    const a = langevin(testLennardJones(ARGON_LJ), { dtFs: DT, temperatureK: T0, frictionPerFs: 0, rng: createRng(1) });
    const b = velocityVerlet(testLennardJones(ARGON_LJ), { dtFs: DT });
    const sa = a.init(argon(2)), sb = b.init(argon(2));
    for (let k = 0; k < 200; k++) {
      a.step(sa);
      b.step(sb);
    }
    let m = 0;
    for (let q = 0; q < sa.positionsA.length; q++) m = Math.max(m, Math.abs(sa.positionsA[q] - sb.positionsA[q]));
    expect(m).toBeLessThan(1e-9);
    expect(Math.abs(sa.reservoirEnergyEv)).toBeLessThan(1e-12);
  });
});

describe('Nosé-Hoover chains', () => {
  it('samples the canonical ensemble and conserves its extended energy', () => {
    const r = sample(noseHooverChain(testLennardJones(ARGON_LJ), { dtFs: DT, temperatureK: T0, tauFs: 200 }), 1);
    // measured: T = 60.16 ± 0.17 K, var ratio 0.99 ± 0.04; drift ~1e-7 meV/atom/ps
    expectCanonical(r);
    expect(Math.abs(r.drift.slopeMevPerAtomPerPs)).toBeLessThan(1e-3);
    expect(r.momentum).toBeLessThan(1e-11);
  });

  it('is time reversible (particles and chain)', () => {
    // Reversible in exact arithmetic (a palindrome of self-reversible flows). Run backwards, the
    // chain's friction on v_k (rate v_{k+1} ~ 0.01-0.1/fs) becomes anti-friction that amplifies
    // rounding errors, so the round trip is kept short (40 steps); the one-step identity
    // Φ∘R∘Φ = R is checked along a longer trajectory.
    const integ = noseHooverChain(testLennardJones(ARGON_LJ), { dtFs: DT, temperatureK: T0, tauFs: 100, chainLength: 4, chainSteps: 2, suzukiYoshidaOrder: 3 });
    const s = integ.init(argon(5));
    const flip = () => {
      for (let q = 0; q < s.velocitiesAPerFs.length; q++) s.velocitiesAPerFs[q] *= -1;
      for (let k = 0; k < s.chain!.velocitiesPerFs.length; k++) s.chain!.velocitiesPerFs[k] *= -1;
    };
    const maxDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, x, q) => Math.max(m, Math.abs(x - b[q])), 0);
    const x0 = s.positionsA.slice();
    const e0 = s.conservedEnergyEv;
    for (let k = 0; k < 40; k++) integ.step(s);
    expect(maxDiff(s.positionsA, x0)).toBeGreaterThan(0.01);
    expect(s.chain!.positions[0]).not.toBe(0);
    flip();
    for (let k = 0; k < 40; k++) integ.step(s);
    expect(maxDiff(s.positionsA, x0)).toBeLessThan(1e-10);
    for (const xi of s.chain!.positions) expect(Math.abs(xi)).toBeLessThan(1e-12);
    expect(Math.abs(s.conservedEnergyEv - e0)).toBeLessThan(1e-10);
    flip();
    for (let k = 0; k < 100; k++) {
      integ.step(s);
      if (k % 10 !== 0) continue;
      const x = s.positionsA.slice(), v = s.velocitiesAPerFs.slice(), c = s.chain!.velocitiesPerFs.slice(), xi = s.chain!.positions.slice();
      integ.step(s);
      flip();
      integ.step(s);
      flip();
      expect(maxDiff(s.positionsA, x)).toBeLessThan(1e-13);
      expect(maxDiff(s.velocitiesAPerFs, v)).toBeLessThan(1e-15);
      expect(maxDiff(s.chain!.velocitiesPerFs, c)).toBeLessThan(1e-15);
      s.positionsA.set(x);
      s.velocitiesAPerFs.set(v);
      s.chain!.velocitiesPerFs.set(c);
      s.chain!.positions.set(xi);
    }
  });

  it('Suzuki-Yoshida weights sum to one', () => {
    for (const o of [1, 3, 5] as const) expect(suzukiYoshidaWeights(o).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });
});

describe('random deviates of the Bussi thermostat', () => {
  const moments = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return { mean: m, variance: xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) };
  };

  it('sum of n squared Gaussians is χ²_n: mean n, variance 2n', () => {
    const rng = createRng(99);
    const m = 20000;
    for (const n of [1, 2, 7, 321]) {
      const { mean, variance } = moments(Array.from({ length: m }, () => sumOfSquaredGaussians(rng, n)));
      expect(Math.abs(mean - n)).toBeLessThan(4 * Math.sqrt((2 * n) / m));
      expect(Math.abs(variance / (2 * n) - 1)).toBeLessThan(0.06);
    }
    expect(sumOfSquaredGaussians(rng, 0)).toBe(0);
  });

  it('gamma deviates have mean and variance equal to the shape', () => {
    const rng = createRng(5);
    for (const a of [0.5, 1, 3.7, 50]) {
      const { mean, variance } = moments(Array.from({ length: 20000 }, () => gammaDeviate(rng, a)));
      expect(Math.abs(mean - a)).toBeLessThan(4 * Math.sqrt(a / 20000));
      expect(Math.abs(variance / a - 1)).toBeLessThan(0.08);
    }
  });

  it('the kinetic-energy propagator keeps the canonical distribution invariant', () => {
    // Start from canonical K (Gamma(N_f/2, kT)); one propagation step of any length keeps it.
    const rng = createRng(17);
    const nf = 30, kT = 0.01, target = (nf * kT) / 2;
    const out: number[] = [];
    for (let k = 0; k < 20000; k++) {
      const k0 = kT * gammaDeviate(rng, nf / 2);
      out.push(resampleKineticEnergy(rng, k0, target, nf, 10, 25));
    }
    const { mean, variance } = moments(out);
    expect(Math.abs(mean / target - 1)).toBeLessThan(0.01);
    expect(Math.abs(variance / ((nf * kT * kT) / 2) - 1)).toBeLessThan(0.05);
  });
});
