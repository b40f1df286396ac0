// Committee (ensemble) of K models as one Calculator, with its spread as the uncertainty
// (query by committee: Seung, Opper & Sompolinsky, COLT 1992; for interatomic potentials Artrith &
// Behler, PRB 85, 045439 (2012), and DP-GEN's model deviation, Zhang et al., PRM 3, 023804 (2019)).
//
// The members are models trained with different seeds (initialisation and batch order) on the
// same split. The committee predicts the MEAN energy, forces, stress and per-atom energies (the
// mean of conservative models is conservative, so the Calculator contract holds), and keeps the
// spread of the last computed structure (population standard deviations over the K members,
// DP-GEN's definition, so its trust levels of 0.05-0.15 eV/Å carry over):
//   energy spread    σ_E = sqrt(<(E_k - <E>)²>) / N                               (meV/atom)
//   force spread     σ_F,i = sqrt(<|F_ik - <F_i>|²>)  (the force VECTOR's spread) (eV/Å per atom)
//   per-atom energy  σ_e,i = sqrt(<(e_ik - <e_i>)²>)                               (eV per atom)
// Committee spreads are often too small in absolute terms; calibrateCommittee (on validation data)
// gives the scale factor α with RMS error ≈ α σ (Musil et al., JCTC 15, 906 (2019); Imbalzano et
// al., JCP 154, 074102 (2021)), percentile thresholds, and the error-versus-spread curve.
import type { Frame } from '../../atoms/frame';
import type { AtomicSystem, CalcProperty, CalcRequest, CalcResult, Calculator } from '../../calculators/calculator';
import { sumCalculator } from '../../calculators/calculator';
import { calculatorFromSpec } from '../../potentials/registry';
import type { BaselineSpec } from '../data/delta';
import { modelCalculator } from '../models/calculator';
import type { AtomisticModel } from '../models/model';
import { loadModel } from '../models/registry';
import type { SavedModel } from '../models/serialization';
import type { Tf } from '../tf/types';
import { calibrationCurve, percentileThresholds, type CalibrationCurve, type Thresholds } from './calibration';

export interface CommitteeUncertainty {
  members: number;
  atoms: number;
  /** Mean energy, eV. */
  energyEv: number;
  /** Spread of the total energy, eV, and per atom, meV/atom. */
  energyStdEv: number;
  energyStdMevPerAtom: number;
  /** [N] spread of each atom's force vector, eV/Å (null when forces were not computed). */
  forceStdEvPerA: Float64Array | null;
  maxForceStdEvPerA: number | null;
  meanForceStdEvPerA: number | null;
  /** [N] spread of each atom's energy, eV (null when per-atom energies were not computed). */
  energiesStdEv: Float64Array | null;
}

export interface CommitteeCalculator extends Calculator {
  readonly size: number;
  readonly members: readonly Calculator[];
  /**
   * Spread of the last computed structure, or null before the first call. The arrays are reused by
   * the next compute(): copy them to keep them.
   */
  lastUncertainty(): CommitteeUncertainty | null;
  /** Free member models (when the committee owns them). */
  dispose(): void;
}

export interface CommitteeOptions {
  name?: string;
  /** Always compute forces (for the force spread), even when the caller asked for energy only. */
  alwaysForces?: boolean;
  /** Called by dispose(). */
  onDispose?: () => void;
}

const ensure = (a: Float64Array | undefined | null, n: number) => (a && a.length === n ? a : new Float64Array(n));

/** The mean of K calculators, with their spread as lastUncertainty(). */
export function committeeCalculator(members: Calculator[], opts: CommitteeOptions = {}): CommitteeCalculator {
  const K = members.length;
  if (K < 2) throw new Error(`a committee needs at least 2 members, got ${K}`);
  const props: CalcProperty[] = (['energy', 'forces', 'stress', 'energies'] as const).filter((p) => members.every((c) => c.implementedProperties.includes(p)));
  const scratch: CalcResult[] = members.map(() => ({ energyEv: 0 }));
  const eK = new Float64Array(K);
  let unc: CommitteeUncertainty | null = null;
  let fStd: Float64Array | null = null, eaStd: Float64Array | null = null, fPrivate: Float64Array | null = null;
  return {
    name: opts.name ?? `committee of ${K} (${members[0].name}, ...)`,
    implementedProperties: props,
    cutoffA: Math.max(...members.map((m) => m.cutoffA)),
    size: K,
    members,
    compute(sys: AtomicSystem, req: CalcRequest = {}, out: CalcResult = { energyEv: 0 }): CalcResult {
      const n = sys.numbers.length;
      const wantF = !!req.forces || !!opts.alwaysForces;
      const sub: CalcRequest = { forces: wantF, stress: req.stress, energies: req.energies };
      for (let k = 0; k < K; k++) {
        scratch[k] = members[k].compute(sys, sub, scratch[k]);
        eK[k] = scratch[k].energyEv;
      }
      let e = 0;
      for (let k = 0; k < K; k++) e += eK[k];
      e /= K;
      let ve = 0;
      for (let k = 0; k < K; k++) ve += (eK[k] - e) ** 2;
      const eStd = Math.sqrt(ve / K);
      out.energyEv = e;
      // mean forces (into out when requested, else into a private buffer for the spread)
      let fMean: Float64Array | null = null;
      if (wantF) {
        fMean = req.forces ? ensure(out.forcesEvPerA, 3 * n) : (fPrivate = ensure(fPrivate, 3 * n));
        fMean.fill(0);
        for (let k = 0; k < K; k++) {
          const f = scratch[k].forcesEvPerA!;
          for (let q = 0; q < 3 * n; q++) fMean[q] += f[q];
        }
        for (let q = 0; q < 3 * n; q++) fMean[q] /= K;
        fStd = ensure(fStd, n).fill(0);
        for (let k = 0; k < K; k++) {
          const f = scratch[k].forcesEvPerA!;
          for (let i = 0; i < n; i++) {
            const dx = f[3 * i] - fMean[3 * i], dy = f[3 * i + 1] - fMean[3 * i + 1], dz = f[3 * i + 2] - fMean[3 * i + 2];
            fStd[i] += dx * dx + dy * dy + dz * dz;
          }
        }
        for (let i = 0; i < n; i++) fStd[i] = Math.sqrt(fStd[i] / K);
      }
      out.forcesEvPerA = req.forces ? fMean! : undefined;
      if (req.stress && scratch[0].stressEvPerA3) {
        const s = ensure(out.stressEvPerA3, 9).fill(0);
        for (let k = 0; k < K; k++) for (let q = 0; q < 9; q++) s[q] += scratch[k].stressEvPerA3![q] / K;
        out.stressEvPerA3 = s;
      } else out.stressEvPerA3 = undefined;
      if (req.energies) {
        const ea = ensure(out.energiesEv, n).fill(0);
        for (let k = 0; k < K; k++) for (let i = 0; i < n; i++) ea[i] += scratch[k].energiesEv![i] / K;
        eaStd = ensure(eaStd, n).fill(0);
        for (let k = 0; k < K; k++) for (let i = 0; i < n; i++) eaStd[i] += (scratch[k].energiesEv![i] - ea[i]) ** 2;
        for (let i = 0; i < n; i++) eaStd[i] = Math.sqrt(eaStd[i] / K);
        out.energiesEv = ea;
      } else out.energiesEv = undefined;
      let maxF: number | null = null, meanF: number | null = null;
      if (wantF && fStd) {
        maxF = 0;
        meanF = 0;
        for (let i = 0; i < n; i++) {
          if (fStd[i] > maxF) maxF = fStd[i];
          meanF += fStd[i];
        }
        meanF = n ? meanF / n : 0;
      }
      unc = {
        members: K,
        atoms: n,
        energyEv: e,
        energyStdEv: eStd,
        energyStdMevPerAtom: n ? (1000 * eStd) / n : 0,
        forceStdEvPerA: wantF ? fStd : null,
        maxForceStdEvPerA: maxF,
        meanForceStdEvPerA: meanF,
        energiesStdEv: req.energies ? eaStd : null,
      };
      return out;
    },
    lastUncertainty: () => unc,
    reset() {
      for (const m of members) m.reset?.();
    },
    dispose() {
      opts.onDispose?.();
    },
  };
}

/** A saved model as a Calculator: baseline + correction for Δ-models with a potential baseline. */
export function savedModelCalculator(tf: Tf, saved: SavedModel, name?: string): { calculator: Calculator; model: AtomisticModel } {
  const model = loadModel(tf, saved);
  const calc = modelCalculator(model, name);
  const b = saved.metadata?.baseline as BaselineSpec | undefined;
  if (!b) return { calculator: calc, model };
  if (b.kind !== 'potential') {
    model.dispose();
    throw new Error(`this Δ-model corrects a baseline stored in the data (${b.energyKey}); it cannot be evaluated on new structures`);
  }
  const r = calculatorFromSpec(b.spec, b.fileText);
  if ('error' in r) {
    model.dispose();
    throw new Error(`baseline ${b.spec}: ${r.error}`);
  }
  return { calculator: sumCalculator([r.calculator, calc], `${r.calculator.name} + Δ ${calc.name}`), model };
}

/** A committee of saved models (loaded with the injected tf); dispose() frees the models. */
export function committeeFromSaved(tf: Tf, saved: readonly SavedModel[], opts: Omit<CommitteeOptions, 'onDispose'> = {}): CommitteeCalculator {
  if (saved.length < 2) throw new Error(`a committee needs at least 2 saved models, got ${saved.length}`);
  const sp = saved[0].species.join(',');
  for (const s of saved) if (s.species.join(',') !== sp) throw new Error(`committee members cover different elements (${sp} vs ${s.species.join(',')})`);
  const loaded = saved.map((s, k) => savedModelCalculator(tf, s, `${s.type} member ${k}`));
  return committeeCalculator(
    loaded.map((l) => l.calculator),
    { name: opts.name ?? `committee of ${saved.length} ${saved[0].type} models (${sp})`, alwaysForces: opts.alwaysForces, onDispose: () => loaded.forEach((l) => l.model.dispose()) },
  );
}

export interface CommitteeCalibration {
  frames: number;
  atoms: number;
  /** Percentiles of the validation atoms' force spread σ_F,i (eV/Å). */
  forceStdThresholdsEvPerA: Thresholds;
  /** Percentiles of the validation frames' energy spread (meV/atom). */
  energyStdThresholdsMevPerAtom: Thresholds;
  /** α with <|ΔF_i|²> = α² <σ_F,i²> (maximum likelihood for errors ~ N(0, α²σ²)); 1 = spread is the error. */
  forceScale: number;
  /** Same for the energy per atom. */
  energyScale: number;
  /** Validation atoms binned by σ_F,i: |F_mean - F_ref| per bin (eV/Å). */
  forceCurve: CalibrationCurve;
  /** Validation frames binned by σ_E: |E_mean - E_ref| / N per bin (meV/atom). */
  energyCurve: CalibrationCurve;
}

/** Spread and error of the committee mean on labelled (validation) frames. */
export function calibrateCommittee(committee: CommitteeCalculator, frames: readonly Frame[], opts: { bins?: number } = {}): CommitteeCalibration {
  const fStd: number[] = [], fErr: number[] = [], eStd: number[] = [], eErr: number[] = [];
  let atoms = 0, num = 0, den = 0, numE = 0, denE = 0;
  for (const f of frames) {
    const r = committee.compute(f, { forces: true });
    const u = committee.lastUncertainty()!;
    const n = f.numbers.length;
    atoms += n;
    if (f.energyEv !== undefined) {
      const err = (1000 * Math.abs(r.energyEv - f.energyEv)) / n;
      eStd.push(u.energyStdMevPerAtom);
      eErr.push(err);
      numE += err * err;
      denE += u.energyStdMevPerAtom ** 2;
    }
    if (f.forcesEvPerA && u.forceStdEvPerA) {
      for (let i = 0; i < n; i++) {
        let e2 = 0;
        for (let c = 0; c < 3; c++) e2 += (r.forcesEvPerA![3 * i + c] - f.forcesEvPerA[3 * i + c]) ** 2;
        fStd.push(u.forceStdEvPerA[i]);
        fErr.push(Math.sqrt(e2));
        num += e2;
        den += u.forceStdEvPerA[i] ** 2;
      }
    }
  }
  return {
    frames: frames.length,
    atoms,
    forceStdThresholdsEvPerA: percentileThresholds(fStd),
    energyStdThresholdsMevPerAtom: percentileThresholds(eStd),
    forceScale: den > 0 ? Math.sqrt(num / den) : NaN,
    energyScale: denE > 0 ? Math.sqrt(numE / denE) : NaN,
    forceCurve: calibrationCurve(fStd, fErr, opts.bins ?? 10),
    energyCurve: calibrationCurve(eStd, eErr, Math.min(opts.bins ?? 10, Math.max(1, Math.floor(eStd.length / 3)))),
  };
}

/** True when `c` is a committee (has lastUncertainty). */
export function isCommittee(c: Calculator): c is CommitteeCalculator {
  return typeof (c as Partial<CommitteeCalculator>).lastUncertainty === 'function';
}
