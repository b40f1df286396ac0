// The integrator registry (every entry builds and runs from its defaults; bad ids, parameters and
// missing seeds are errors) and the run loop (observers, cancellation, blow-up detection).
import { describe, expect, it } from 'vitest';
import type { Calculator } from '../calculators/calculator';
import { createRng } from '../space/rng';
import { INTEGRATORS, createIntegrator, integratorSpec } from './integrators';
import { maxwellBoltzmannVelocities } from './maxwellBoltzmann';
import { observe } from './observables';
import { runMd } from './run';
import type { MdState } from './state';
import { ARGON_LJ, fccLattice, testLennardJones } from './testPotentials';

function argon() {
  const sys = fccLattice(5.3, [2, 2, 2]);
  const masses = new Float64Array(sys.numbers.length).fill(39.948);
  return { ...sys, massesAmu: masses, velocitiesAPerFs: maxwellBoltzmannVelocities(masses, 50, createRng(1)) };
}

describe('integrator registry', () => {
  it('builds and runs every integrator from its defaults', () => {
    for (const spec of INTEGRATORS) {
      const params: Record<string, number> = spec.params.some((p) => p.key === 'temperatureK') ? { dtFs: 2, temperatureK: 50 } : { dtFs: 2 };
      const integ = createIntegrator(spec.id, testLennardJones(ARGON_LJ), params, spec.stochastic ? createRng(1) : undefined);
      const s = integ.init(argon());
      const e0 = s.conservedEnergyEv;
      runMd(integ, s, 20);
      expect(s.step, spec.id).toBe(20);
      expect(s.timeFs).toBeCloseTo(40, 12);
      // 20 short steps: the conserved quantity is conserved to well below kT per atom
      expect(Math.abs(s.conservedEnergyEv - e0) / 32, spec.id).toBeLessThan(1e-5);
      const o = observe(s);
      expect(o.temperatureK).toBeGreaterThan(0);
      if (spec.needsStress) expect(o.pressureGpa).not.toBeNull();
      expect(spec.params.every((p) => p.unit !== undefined && Number.isFinite(p.default))).toBe(true);
    }
  });

  it('rejects unknown ids and parameters, and stochastic integrators without an rng', () => {
    const calc = testLennardJones(ARGON_LJ);
    expect(() => integratorSpec('verlet')).toThrow(/unknown integrator/);
    expect(() => createIntegrator('nve', calc, { dt: 1 })).toThrow(/unknown parameter dt/);
    expect(() => createIntegrator('langevin', calc, {})).toThrow(/rng/);
    expect(() => createIntegrator('nve', calc, { dtFs: -1 })).toThrow(/out of range/);
  });
});

describe('runMd', () => {
  it('calls observers every interval and stops on request', () => {
    const integ = createIntegrator('nve', testLennardJones(ARGON_LJ), { dtFs: 2 });
    const s = integ.init(argon());
    const seen: number[] = [];
    const signal = { aborted: false };
    const r = runMd(integ, s, 100, {
      observers: [
        { interval: 10, fn: (st: MdState) => seen.push(st.step), atStart: true },
        { interval: 1, fn: (st: MdState) => { if (st.step === 35) signal.aborted = true; } },
      ],
      signal,
    });
    expect(seen).toEqual([0, 10, 20, 30]);
    expect(r.aborted).toBe(true);
    expect(r.stepsDone).toBe(35);
  });

  it('stops with a clear error when the dynamics blows up', () => {
    const lj = testLennardJones(ARGON_LJ);
    let calls = 0;
    const flaky: Calculator = { ...lj, compute: (sys, req, out) => {
      const r = lj.compute(sys, req, out);
      if (++calls > 10) r.energyEv = Number.NaN;
      return r;
    } };
    const integ = createIntegrator('nve', flaky, { dtFs: 2 });
    expect(() => runMd(integ, integ.init(argon()), 50)).toThrow(/blew up at step 10/);
    // an error inside a step carries the step number
    const sys = argon();
    sys.positionsA.copyWithin(0, 3, 6); // two atoms on top of each other
    const integ2 = createIntegrator('nve', testLennardJones(ARGON_LJ), { dtFs: 2 });
    expect(() => runMd(integ2, integ2.init(sys), 50)).toThrow(/MD step 1 .* failed/);
  });
});
