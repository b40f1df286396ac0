// Time-step study: the same starting structure and the same seeded Maxwell-Boltzmann velocities run
// in NVE (velocity Verlet) for the same physical time at several time steps. For a symplectic
// second-order integrator the energy fluctuation scales as dt² while the mean energy does not
// drift; a drift that does not shrink with dt points at the forces (non-conservative, noisy or
// discontinuous), not at the integrator. Results per dt: RMS fluctuation about the linear fit
// (meV/atom), drift (meV/atom/ps) with its autocorrelation-corrected standard error.
import { massAmu } from '../atoms/elements';
import type { Calculator } from '../calculators/calculator';
import { linearFit } from '../analysis/statistics';
import { createRng } from '../space/rng';
import { fitDrift } from './drift';
import { maxwellBoltzmannVelocities } from './maxwellBoltzmann';
import type { MdSystem } from './state';
import { velocityVerlet } from './velocityVerlet';

export interface TimestepStudyPoint {
  dtFs: number;
  steps: number;
  fluctuationMevPerAtom: number;
  driftMevPerAtomPerPs: number;
  driftStderrMevPerAtomPerPs: number;
  failed?: string;
}

export interface TimestepStudyOptions {
  temperatureK: number;
  dtFs: number[];
  durationFs: number;
  seed: number;
  /** Samples kept per run (energies are recorded every max(1, steps/maxSamples) steps). */
  maxSamples?: number;
  onPoint?: (p: TimestepStudyPoint, index: number, total: number) => void;
  yieldToHost?: () => Promise<void>;
  shouldStop?: () => boolean;
}

export interface TimestepStudyResult {
  points: TimestepStudyPoint[];
  /** Slope of log(fluctuation) vs log(dt) over the runs that finished; null with fewer than 2. */
  fluctuationExponent: number | null;
}

export async function timestepStudy(calc: Calculator, system: MdSystem, o: TimestepStudyOptions): Promise<TimestepStudyResult> {
  const n = system.numbers.length;
  const masses = system.massesAmu ?? Float64Array.from(system.numbers, (z) => massAmu(z));
  const v0 = maxwellBoltzmannVelocities(masses, o.temperatureK, createRng(o.seed), { zeroMomentum: true });
  const points: TimestepStudyPoint[] = [];
  const dts = [...o.dtFs].sort((a, b) => b - a);
  for (let k = 0; k < dts.length; k++) {
    const dt = dts[k];
    const steps = Math.max(2, Math.round(o.durationFs / dt));
    const every = Math.max(1, Math.floor(steps / (o.maxSamples ?? 4000)));
    const times: number[] = [];
    const energies: number[] = [];
    let point: TimestepStudyPoint;
    try {
      calc.reset?.();
      const integ = velocityVerlet(calc, { dtFs: dt });
      const s = integ.init({ ...system, massesAmu: masses, velocitiesAPerFs: v0 });
      times.push(s.timeFs);
      energies.push(s.conservedEnergyEv);
      for (let i = 1; i <= steps; i++) {
        integ.step(s);
        if (!Number.isFinite(s.conservedEnergyEv)) throw new Error(`energy became non-finite at step ${i}`);
        if (i % every === 0) {
          times.push(s.timeFs);
          energies.push(s.conservedEnergyEv);
        }
        if (i % 200 === 0) {
          if (o.shouldStop?.()) throw new Error('stopped');
          if (o.yieldToHost) await o.yieldToHost();
        }
      }
      const fit = fitDrift(times, energies, n);
      point = {
        dtFs: dt,
        steps,
        fluctuationMevPerAtom: fit.rmsFluctuationMevPerAtom,
        driftMevPerAtomPerPs: fit.slopeMevPerAtomPerPs,
        driftStderrMevPerAtomPerPs: fit.slopeStdErrCorrectedMevPerAtomPerPs,
      };
    } catch (e) {
      point = { dtFs: dt, steps, fluctuationMevPerAtom: NaN, driftMevPerAtomPerPs: NaN, driftStderrMevPerAtomPerPs: NaN, failed: e instanceof Error ? e.message : String(e) };
    }
    points.push(point);
    o.onPoint?.(point, k, dts.length);
    if (o.shouldStop?.()) break;
  }
  const ok = points.filter((p) => !p.failed && p.fluctuationMevPerAtom > 0);
  const lx = ok.map((p) => Math.log(p.dtFs));
  const ly = ok.map((p) => Math.log(p.fluctuationMevPerAtom));
  const fluctuationExponent = ok.length >= 3 ? linearFit(lx, ly).slope : ok.length === 2 ? (ly[1] - ly[0]) / (lx[1] - lx[0]) : null;
  return { points, fluctuationExponent };
}
