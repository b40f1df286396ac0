// Drift study: why does a simulation not conserve energy? The same start (structure + seeded
// Maxwell-Boltzmann velocities at T) runs in NVE (velocity Verlet) at several time steps for the
// same physical time, with the conservative calculator and with force variants (md/forceVariants.ts:
// noisy, biased, direct-force) that report the conservative energy but push the atoms with other
// forces. For each (variant, dt): the drift of E = E_pot,ref + E_kin (meV/atom/ps, with the
// autocorrelation-corrected standard error of md/drift.ts) and the RMS fluctuation about the fit,
// and the INJECTED WORK
//   W(t) = ∫₀ᵗ Σ_i v_i · (F_var,i − F_ref,i) dt'
// accumulated along the trajectory with the reference forces there. Per velocity-Verlet step
// x_n → x_{n+1} it is the trapezoid ΔW = ½ (x_{n+1} − x_n) · (ΔF_n + ΔF_{n+1}), ΔF = F_var − F_ref.
// That choice matches the kicks: velocity Verlet gives ΔK = ½Δx·(F_n + F_{n+1}) + (dt²/8m)(|F_{n+1}|²
// − |F_n|²) exactly, so E(t) − E(0) − W(t) is only the trapezoid error of ∫F_ref·dx (O(dt²) per
// unit time, the integrator's own fluctuation) plus a bounded telescoping term: the observed
// energy change equals the injected work up to the conservative run's fluctuation.
//
// How drift scales with dt tells the cause apart:
//   - integration error (smooth conservative forces): no drift, fluctuation ∝ dt²; a drift that
//     appears only at large dt and vanishes fast (∝ dt² or faster) as dt shrinks;
//   - white-in-time force noise (float32 rounding, rough forces, injected noise): each step's random
//     kick σ·dt/m heats at Σ 3σ²dt/(2m): drift ∝ dt. It does shrink with dt, but it is a force error;
//   - systematic non-conservative forces (direct-force heads, biases): the power v·ΔF(x) is a
//     property of the continuous dynamics, so the drift is independent of dt.
import { massAmu } from '../atoms/elements';
import type { Calculator } from '../calculators/calculator';
import { linearFit } from '../analysis/statistics';
import { createRng } from '../space/rng';
import { fitDrift } from './drift';
import type { ForceVariantCalculator } from './forceVariants';
import { maxwellBoltzmannVelocities } from './maxwellBoltzmann';
import type { MdSystem } from './state';
import { velocityVerlet } from './velocityVerlet';

export interface DriftVariant {
  /** Key in results and JSON, e.g. 'noisy', 'biased', 'direct'. */
  id: string;
  /** Calculator whose energy is the reference's and whose forces are the variant's. */
  calculator: ForceVariantCalculator;
}

export interface DriftSeries {
  timeFs: number[];
  /** E(t) − E(0), meV/atom. */
  energyChangeMevPerAtom: number[];
  /** W(t), meV/atom. */
  injectedWorkMevPerAtom: number[];
}

export interface DriftRun {
  variant: string;
  dtFs: number;
  steps: number;
  driftMevPerAtomPerPs: number;
  driftStderrMevPerAtomPerPs: number;
  fluctuationMevPerAtom: number;
  /** E(end) − E(0), meV/atom. */
  energyChangeMevPerAtom: number;
  /** W(end), meV/atom (0 for the conservative run). */
  injectedWorkMevPerAtom: number;
  /** OLS slope of W(t), meV/atom/ps: compare with the drift. */
  injectedPowerMevPerAtomPerPs: number;
  /** RMS of E(t) − E(0) − W(t) over the samples, meV/atom: what the injected work does not explain. */
  balanceResidualMevPerAtom: number;
  series: DriftSeries;
  failed?: string;
  /** Time at which the run blew up (|E − E(0)| over the limit), fs; its series stops there. */
  blowUpFs?: number;
}

export type DriftCause = 'conserved' | 'integration-error' | 'force-noise' | 'force-error' | 'inconclusive';

export interface DriftVerdict {
  variant: string;
  cause: DriftCause;
  /** Slope of log|drift| vs log dt over the runs with a significant drift; null with fewer than 2. */
  driftExponent: number | null;
  /** Slope of log(fluctuation) vs log dt (2 for a healthy symplectic integrator); null with < 2 runs. */
  fluctuationExponent: number | null;
  message: string;
}

export interface DriftStudyOptions {
  temperatureK: number;
  dtFs: number[];
  durationFs: number;
  seed: number;
  /** Run the conservative calculator itself as variant 'conservative' (default true). */
  includeConservative?: boolean;
  /** Energy samples kept per run for the fit (default 4000). */
  maxSamples?: number;
  /** Points kept in each run's series (default 200). */
  seriesPoints?: number;
  /** A run fails when |E − E(0)| exceeds this, eV/atom (default 1). */
  blowUpEvPerAtom?: number;
  /** A drift counts as significant above this many corrected standard errors (default 3). */
  significanceSigmas?: number;
  onRun?: (run: DriftRun, index: number, total: number) => void;
  yieldToHost?: () => Promise<void>;
  shouldStop?: () => boolean;
}

export interface DriftStudyResult {
  atoms: number;
  runs: DriftRun[];
  verdicts: DriftVerdict[];
}

const EMPTY_SERIES = (): DriftSeries => ({ timeFs: [], energyChangeMevPerAtom: [], injectedWorkMevPerAtom: [] });

function failedRun(variant: string, dtFs: number, steps: number, message: string, series = EMPTY_SERIES(), blowUpFs?: number): DriftRun {
  return {
    variant, dtFs, steps, failed: message,
    driftMevPerAtomPerPs: NaN, driftStderrMevPerAtomPerPs: NaN, fluctuationMevPerAtom: NaN,
    energyChangeMevPerAtom: NaN, injectedWorkMevPerAtom: NaN, injectedPowerMevPerAtomPerPs: NaN, balanceResidualMevPerAtom: NaN,
    series,
    ...(blowUpFs !== undefined ? { blowUpFs } : {}),
  };
}

/** Subsample (time, ΔE, W) to about `points` entries, always keeping the last one. */
function subsample(times: number[], dE: number[], dW: number[], points: number): DriftSeries {
  const stride = Math.max(1, Math.ceil(times.length / points));
  const series = EMPTY_SERIES();
  const push = (k: number) => {
    series.timeFs.push(times[k]);
    series.energyChangeMevPerAtom.push(dE[k]);
    series.injectedWorkMevPerAtom.push(dW[k]);
  };
  for (let k = 0; k < times.length; k += stride) push(k);
  if ((times.length - 1) % stride !== 0) push(times.length - 1);
  return series;
}

async function runOne(calc: Calculator, variant: DriftVariant | null, system: MdSystem, dt: number, steps: number, o: DriftStudyOptions): Promise<DriftRun> {
  const n = system.numbers.length;
  const id = variant?.id ?? 'conservative';
  const every = Math.max(1, Math.floor(steps / (o.maxSamples ?? 4000)));
  const limitEv = (o.blowUpEvPerAtom ?? 1) * n;
  const times: number[] = [];
  const energies: number[] = [];
  const works: number[] = [];
  calc.reset?.();
  const integ = velocityVerlet(calc, { dtFs: dt });
  const s = integ.init(system);
  const e0 = s.conservedEnergyEv;
  const prevX = new Float64Array(3 * n);
  const dF = new Float64Array(3 * n); // ΔF at the current positions
  const refForces = () => {
    const r = variant?.calculator.referenceForcesEvPerA;
    if (!r || r.length !== 3 * n) throw new Error(`${id}: the variant calculator did not record reference forces`);
    return r;
  };
  if (variant) {
    const r = refForces();
    for (let q = 0; q < 3 * n; q++) dF[q] = s.forcesEvPerA[q] - r[q];
  }
  let work = 0;
  times.push(s.timeFs);
  energies.push(e0);
  works.push(0);
  for (let i = 1; i <= steps; i++) {
    if (variant) prevX.set(s.positionsA);
    integ.step(s);
    if (variant) {
      const r = refForces();
      const x = s.positionsA, f = s.forcesEvPerA;
      let w = 0;
      for (let q = 0; q < 3 * n; q++) {
        const d = f[q] - r[q];
        w += (x[q] - prevX[q]) * (dF[q] + d);
        dF[q] = d;
      }
      work += 0.5 * w;
    }
    const e = s.conservedEnergyEv;
    if (!Number.isFinite(e)) throw new Error(`energy became non-finite at step ${i}`);
    if (Math.abs(e - e0) > limitEv) {
      times.push(s.timeFs);
      energies.push(e);
      works.push(work);
      const series = subsample(times, energies.map((x) => ((x - e0) * 1e3) / n), works.map((w) => (w * 1e3) / n), o.seriesPoints ?? 200);
      const msg = `blew up: energy changed by ${((e - e0) / n).toPrecision(3)} eV/atom by step ${i} (t = ${s.timeFs.toFixed(1)} fs)`;
      return failedRun(id, dt, steps, msg, series, s.timeFs);
    }
    if (i % every === 0) {
      times.push(s.timeFs);
      energies.push(e);
      works.push(work);
    }
    if (i % 200 === 0) {
      if (o.shouldStop?.()) throw new Error('stopped');
      if (o.yieldToHost) await o.yieldToHost();
    }
  }
  if (steps % every !== 0) {
    times.push(s.timeFs);
    energies.push(s.conservedEnergyEv);
    works.push(work);
  }
  const fit = fitDrift(times, energies, n);
  const toMev = 1e3 / n;
  const dE = energies.map((e) => (e - e0) * toMev);
  const dW = works.map((w) => w * toMev);
  let res2 = 0;
  for (let k = 0; k < dE.length; k++) res2 += (dE[k] - dW[k]) ** 2;
  const series = subsample(times, dE, dW, o.seriesPoints ?? 200);
  const last = times.length - 1;
  return {
    variant: id,
    dtFs: dt,
    steps,
    driftMevPerAtomPerPs: fit.slopeMevPerAtomPerPs,
    driftStderrMevPerAtomPerPs: fit.slopeStdErrCorrectedMevPerAtomPerPs,
    fluctuationMevPerAtom: fit.rmsFluctuationMevPerAtom,
    energyChangeMevPerAtom: dE[last],
    injectedWorkMevPerAtom: dW[last],
    injectedPowerMevPerAtomPerPs: linearFit(times, dW).slope * 1000,
    balanceResidualMevPerAtom: Math.sqrt(res2 / dE.length),
    series,
  };
}

/** Slope of log y vs log x (least squares); null with fewer than 2 points. */
function logLogSlope(x: number[], y: number[]): number | null {
  if (x.length < 2) return null;
  const lx = x.map(Math.log), ly = y.map(Math.log);
  return x.length === 2 ? (ly[1] - ly[0]) / (lx[1] - lx[0]) : linearFit(lx, ly).slope;
}

/**
 * Classify one variant's runs by how |drift| scales with dt: exponent < 0.5 -> force error
 * (dt-independent), 0.5..1.5 -> white force noise (∝ dt), >= 1.5 -> integration error.
 */
export function driftVerdict(variant: string, runs: DriftRun[], significanceSigmas = 3): DriftVerdict {
  const ok = runs.filter((r) => !r.failed).sort((a, b) => a.dtFs - b.dtFs);
  const flucOk = ok.filter((r) => r.fluctuationMevPerAtom > 0);
  const fluctuationExponent = logLogSlope(flucOk.map((r) => r.dtFs), flucOk.map((r) => r.fluctuationMevPerAtom));
  const sig = ok.filter((r) => Math.abs(r.driftMevPerAtomPerPs) > significanceSigmas * r.driftStderrMevPerAtomPerPs && r.driftMevPerAtomPerPs !== 0);
  const driftExponent = logLogSlope(sig.map((r) => r.dtFs), sig.map((r) => Math.abs(r.driftMevPerAtomPerPs)));
  const failed = runs.length - ok.length;
  const tail = failed ? ` (${failed} run(s) failed)` : '';
  const v = (cause: DriftCause, message: string): DriftVerdict => ({ variant, cause, driftExponent, fluctuationExponent, message: message + tail });
  // Blow-ups: the same time at every dt is a property of the forces; blow-ups only at the larger
  // dt while the smaller ones conserve energy is an unstable integration.
  const blown = runs.filter((r) => r.blowUpFs !== undefined).sort((a, b) => a.dtFs - b.dtFs);
  if (blown.length >= 2 && ok.length === 0) {
    const t = blown.map((r) => r.blowUpFs!);
    if (Math.max(...t) < 1.5 * Math.min(...t)) {
      const mean = t.reduce((a, b) => a + b, 0) / t.length;
      return v('force-error', `drift independent of dt: force error (blew up after ≈${mean.toPrecision(3)} fs at every dt; lower the error or the temperature for numbers)`);
    }
  }
  if (blown.length > 0 && ok.length > 0 && blown[0].dtFs > ok[ok.length - 1].dtFs && sig.length === 0) {
    return v('integration-error', `drift shrinks with dt: integration error (unstable at dt >= ${blown[0].dtFs} fs, conserved at dt <= ${ok[ok.length - 1].dtFs} fs)`);
  }
  if (ok.length === 0) return v('inconclusive', 'no run finished');
  if (sig.length === 0) return v('conserved', `no significant drift at any dt (|drift| < ${significanceSigmas} SE): energy conserved`);
  if (sig.length === 1) {
    // Integration error only if the smaller-dt drifts are bounded well below the dt^1.5 extrapolation
    // (their |drift| + 2 SE); white noise (∝ dt) often just sinks into the noise at smaller dt.
    const only = sig[0];
    const rest = ok.filter((r) => r !== only);
    const fast = only === ok[ok.length - 1] && rest.length > 0 &&
      rest.every((r) => Math.abs(r.driftMevPerAtomPerPs) + 2 * r.driftStderrMevPerAtomPerPs < Math.abs(only.driftMevPerAtomPerPs) * (r.dtFs / only.dtFs) ** 1.5);
    return fast
      ? v('integration-error', `drift shrinks with dt: integration error (significant only at the largest dt, ${only.dtFs} fs)`)
      : v('inconclusive', `significant drift at dt = ${only.dtFs} fs only; run longer or at more time steps`);
  }
  const p = driftExponent!;
  if (p < 0.5) return v('force-error', `drift independent of dt: force error (|drift| ∝ dt^${p.toFixed(2)})`);
  if (p < 1.5) return v('force-noise', `drift ∝ dt: noisy forces (|drift| ∝ dt^${p.toFixed(2)}; white-in-time force error heats ∝ σ²·dt: shrinks with dt, yet a force error, not integration error)`);
  return v('integration-error', `drift shrinks with dt: integration error (|drift| ∝ dt^${p.toFixed(2)})`);
}

/** Run the study: every variant (and the conservative reference first) at every dt, largest dt first. */
export async function driftStudy(reference: Calculator, system: MdSystem, variants: DriftVariant[], o: DriftStudyOptions): Promise<DriftStudyResult> {
  const n = system.numbers.length;
  if (!(o.durationFs > 0)) throw new Error(`driftStudy: durationFs must be > 0, got ${o.durationFs}`);
  if (o.dtFs.length === 0 || o.dtFs.some((d) => !(d > 0))) throw new Error(`driftStudy: dtFs must be positive numbers, got ${o.dtFs.join(',')}`);
  const ids = new Set<string>();
  for (const v of variants) {
    if (v.id === 'conservative' || ids.has(v.id)) throw new Error(`driftStudy: variant id "${v.id}" is reserved or repeated`);
    ids.add(v.id);
  }
  const masses = system.massesAmu ?? Float64Array.from(system.numbers, (z) => massAmu(z));
  const v0 = maxwellBoltzmannVelocities(masses, o.temperatureK, createRng(o.seed), { zeroMomentum: true });
  const start: MdSystem = { ...system, massesAmu: masses, velocitiesAPerFs: v0 };
  const dts = [...o.dtFs].sort((a, b) => b - a);
  const plan: [Calculator, DriftVariant | null][] = [
    ...((o.includeConservative ?? true) ? [[reference, null] as [Calculator, null]] : []),
    ...variants.map((v) => [v.calculator, v] as [Calculator, DriftVariant]),
  ];
  const total = plan.length * dts.length;
  const runs: DriftRun[] = [];
  outer: for (const [calc, variant] of plan) {
    for (const dt of dts) {
      const steps = Math.max(2, Math.round(o.durationFs / dt));
      let run: DriftRun;
      try {
        run = await runOne(calc, variant, start, dt, steps, o);
      } catch (e) {
        run = failedRun(variant?.id ?? 'conservative', dt, steps, e instanceof Error ? e.message : String(e));
      }
      runs.push(run);
      o.onRun?.(run, runs.length - 1, total);
      if (o.shouldStop?.()) break outer;
    }
  }
  const order = plan.map(([, v]) => v?.id ?? 'conservative');
  const verdicts = order.filter((id) => runs.some((r) => r.variant === id)).map((id) => driftVerdict(id, runs.filter((r) => r.variant === id), o.significanceSigmas));
  return { atoms: n, runs, verdicts };
}
