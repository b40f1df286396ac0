// Domain shift: a model evaluated on its reference (validation) data and on a second dataset, side
// by side, so a user sees both that errors grow off-distribution and whether the uncertainty
// signals notice (Quiñonero-Candela et al., "Dataset Shift in Machine Learning", MIT Press 2009,
// for the notion; for potentials e.g. the mlearn benchmark's transfer tests, Zuo et al., JPCA 124,
// 731 (2020)). For each set: energy-per-atom and force-component errors (where labelled), the
// committee spread (when the calculator is a committee) and the descriptor-distance score (when a
// DomainModel is given), each as a histogram on edges shared by both sets; thresholds come from
// the domain model's validation calibration, else from the reference set itself (it plays the
// validation set), and the report gives the fraction of each set above them.
// Another element's structures can be scored by a single-element model by renaming the element
// (mapElements: e.g. Ge structures as Si), which asks "are these geometries like the training ones".
import { atomicNumber } from '../../atoms/elements';
import { cloneFrame, type Frame } from '../../atoms/frame';
import type { Calculator } from '../../calculators/calculator';
import type { SavedModel } from '../models/serialization';
import type { Tf } from '../tf/types';
import { fractionAbove, percentileThresholds, quantileSorted, sharedHistogram, sortedFinite, type SharedHistogram, type Thresholds } from './calibration';
import { committeeFromSaved, isCommittee, savedModelCalculator } from './committee';
import { buildDomainModel, scoreFrames, type DomainModel, type DomainScoreSummary } from './descriptorRange';

/** "Ge=Si,Sn=Si" -> { Ge: 'Si', Sn: 'Si' } (throws on a malformed entry or unknown element). */
export function parseElementMap(text: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z]{1,3})=([A-Za-z]{1,3})$/.exec(part);
    if (!m || atomicNumber(m[1]) < 1 || atomicNumber(m[2]) < 1) throw new Error(`element map: expected FROM=TO element symbols (e.g. Ge=Si), got "${part}"`);
    map[m[1]] = m[2];
  }
  return map;
}

/** Copies of the frames with elements renamed (positions, cell and labels unchanged). */
export function mapElements(frames: readonly Frame[], map: Record<string, string>): Frame[] {
  if (Object.keys(map).length === 0) return frames.slice();
  const z = new Map(Object.entries(map).map(([a, b]) => [atomicNumber(a), { z: atomicNumber(b), s: b }]));
  return frames.map((f) => {
    const c = cloneFrame(f);
    for (let i = 0; i < c.numbers.length; i++) {
      const t = z.get(c.numbers[i]);
      if (t) {
        c.numbers[i] = t.z;
        c.symbols[i] = t.s;
      }
    }
    return c;
  });
}

export interface ShiftSet {
  name: string;
  frames: readonly Frame[];
}

export interface ShiftSetSummary {
  name: string;
  frames: number;
  atoms: number;
  energyMaeMevPerAtom: number | null;
  energyRmseMevPerAtom: number | null;
  /** Per force component. */
  forceMaeEvPerA: number | null;
  forceRmseEvPerA: number | null;
  descriptor: (DomainScoreSummary & { fractionAboveP95Threshold: number; fractionAboveP99Threshold: number }) | null;
  committee: {
    energyStdMevPerAtomMean: number;
    forceStdEvPerAMean: number;
    forceStdEvPerAMedian: number;
    forceStdEvPerAP95: number;
    fractionAboveP95Threshold: number;
    fractionAboveP99Threshold: number;
  } | null;
}

export interface DomainShiftReport {
  calculator: string;
  reference: ShiftSetSummary;
  target: ShiftSetSummary;
  /** Keys of counts/fractions: the two set names. */
  histograms: {
    energyErrorMevPerAtom: SharedHistogram;
    forceErrorEvPerA: SharedHistogram;
    descriptorScore: SharedHistogram | null;
    committeeForceStdEvPerA: SharedHistogram | null;
    committeeEnergyStdMevPerAtom: SharedHistogram | null;
  };
  thresholds: {
    /** Where the thresholds come from: the domain model's validation calibration or the reference set. */
    source: 'validation' | 'reference';
    descriptorScore: Thresholds | null;
    committeeForceStdEvPerA: Thresholds | null;
  };
  /** target / reference ratios (null when undefined). */
  ratios: { energyMae: number | null; forceMae: number | null; descriptorScoreMedian: number | null; committeeForceStdMedian: number | null };
}

interface Collected {
  eErr: number[];
  fErr: number[];
  fStd: number[];
  eStd: number[];
  atoms: number;
}

function collect(calc: Calculator, frames: readonly Frame[]): Collected {
  const c: Collected = { eErr: [], fErr: [], fStd: [], eStd: [], atoms: 0 };
  const committee = isCommittee(calc) ? calc : null;
  for (const f of frames) {
    const n = f.numbers.length;
    c.atoms += n;
    const r = calc.compute(f, { forces: true });
    if (f.energyEv !== undefined) c.eErr.push((1000 * (r.energyEv - f.energyEv)) / n);
    if (f.forcesEvPerA && r.forcesEvPerA) for (let q = 0; q < 3 * n; q++) c.fErr.push(r.forcesEvPerA[q] - f.forcesEvPerA[q]);
    const u = committee?.lastUncertainty();
    if (u) {
      c.eStd.push(u.energyStdMevPerAtom);
      if (u.forceStdEvPerA) for (let i = 0; i < n; i++) c.fStd.push(u.forceStdEvPerA[i]);
    }
  }
  return c;
}

const mae = (v: number[]) => (v.length ? v.reduce((s, x) => s + Math.abs(x), 0) / v.length : null);
const rmse = (v: number[]) => (v.length ? Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length) : null);
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b > 0 ? a / b : null);
const median = (v: ArrayLike<number>) => quantileSorted(sortedFinite(v), 0.5);

/**
 * Errors and uncertainty of `calculator` (a model or a committee) on a reference set and a new set.
 * `domain`: descriptor statistics of the training set (buildDomainModel) for the distance score.
 */
export function domainShiftReport(input: { calculator: Calculator; reference: ShiftSet; target: ShiftSet; domain?: DomainModel | null; bins?: number }): DomainShiftReport {
  const { calculator, reference, target } = input;
  const R = reference.name, T = target.name === reference.name ? `${target.name} (new)` : target.name;
  const bins = input.bins ?? 30;
  const cr = collect(calculator, reference.frames), ct = collect(calculator, target.frames);
  const dom = input.domain ?? null;
  const sr = dom ? scoreFrames(dom, reference.frames) : null;
  const st = dom ? scoreFrames(dom, target.frames) : null;
  const source: 'validation' | 'reference' = dom?.calibration ? 'validation' : 'reference';
  const dThr = sr ? (dom!.calibration?.thresholds ?? percentileThresholds(sr.atomScores)) : null;
  const cThr = cr.fStd.length ? percentileThresholds(cr.fStd) : null;
  const summary = (name: string, c: Collected, frames: number, s: typeof sr): ShiftSetSummary => ({
    name,
    frames,
    atoms: c.atoms,
    energyMaeMevPerAtom: mae(c.eErr),
    energyRmseMevPerAtom: rmse(c.eErr),
    forceMaeEvPerA: mae(c.fErr),
    forceRmseEvPerA: rmse(c.fErr),
    descriptor: s && dThr ? { ...s.summary, fractionAboveP95Threshold: fractionAbove(s.atomScores, dThr.p95), fractionAboveP99Threshold: fractionAbove(s.atomScores, dThr.p99) } : null,
    committee:
      c.fStd.length && cThr
        ? {
            energyStdMevPerAtomMean: c.eStd.reduce((a, b) => a + b, 0) / Math.max(1, c.eStd.length),
            forceStdEvPerAMean: c.fStd.reduce((a, b) => a + b, 0) / c.fStd.length,
            forceStdEvPerAMedian: median(c.fStd),
            forceStdEvPerAP95: quantileSorted(sortedFinite(c.fStd), 0.95),
            fractionAboveP95Threshold: fractionAbove(c.fStd, cThr.p95),
            fractionAboveP99Threshold: fractionAbove(c.fStd, cThr.p99),
          }
        : null,
  });
  const ref = summary(R, cr, reference.frames.length, sr), tgt = summary(T, ct, target.frames.length, st);
  const pair = <V extends ArrayLike<number>>(a: V, b: V) => ({ [R]: a, [T]: b });
  return {
    calculator: calculator.name,
    reference: ref,
    target: tgt,
    histograms: {
      energyErrorMevPerAtom: sharedHistogram(pair(cr.eErr, ct.eErr), { bins, symmetric: true, clipQuantile: 0.005 }),
      forceErrorEvPerA: sharedHistogram(pair(cr.fErr, ct.fErr), { bins, symmetric: true, clipQuantile: 0.005 }),
      descriptorScore: sr && st ? sharedHistogram(pair(sr.atomScores, st.atomScores), { bins, lo: 0, clipQuantile: 0.005 }) : null,
      committeeForceStdEvPerA: cr.fStd.length ? sharedHistogram(pair(cr.fStd, ct.fStd), { bins, lo: 0, clipQuantile: 0.005 }) : null,
      committeeEnergyStdMevPerAtom: cr.eStd.length ? sharedHistogram(pair(cr.eStd, ct.eStd), { bins, lo: 0 }) : null,
    },
    thresholds: { source, descriptorScore: dThr, committeeForceStdEvPerA: cThr },
    ratios: {
      energyMae: ratio(tgt.energyMaeMevPerAtom, ref.energyMaeMevPerAtom),
      forceMae: ratio(tgt.forceMaeEvPerA, ref.forceMaeEvPerA),
      descriptorScoreMedian: ratio(tgt.descriptor?.scoreMedian, ref.descriptor?.scoreMedian),
      committeeForceStdMedian: ratio(tgt.committee?.forceStdEvPerAMedian, ref.committee?.forceStdEvPerAMedian),
    },
  };
}

/**
 * The same from saved models: one model, or several as a committee (loaded with the injected tf).
 * With `trainFrames` and a symmetry-function model, the descriptor statistics are built from them
 * and calibrated on the reference frames (which then must be held-out data, e.g. the validation set).
 */
export function domainShiftReportFromSaved(
  tf: Tf,
  saved: SavedModel | readonly SavedModel[],
  trainFrames: readonly Frame[] | null,
  reference: ShiftSet,
  target: ShiftSet,
  opts: { bins?: number; referencePerSpecies?: number; seed?: number } = {},
): DomainShiftReport & { domain: DomainModel | null } {
  const list = Array.isArray(saved) ? (saved as readonly SavedModel[]) : [saved as SavedModel];
  let dispose: () => void;
  let calculator: Calculator;
  if (list.length > 1) {
    const c = committeeFromSaved(tf, list, { alwaysForces: true });
    calculator = c;
    dispose = () => c.dispose();
  } else {
    const s = savedModelCalculator(tf, list[0]);
    calculator = s.calculator;
    dispose = () => s.model.dispose();
  }
  try {
    const hasSf = !!(list[0].config as { symmetryFunctions?: unknown } | null)?.symmetryFunctions;
    const domain = trainFrames && hasSf ? buildDomainModel(list[0], trainFrames, [...reference.frames], { calculator, referencePerSpecies: opts.referencePerSpecies, seed: opts.seed }) : null;
    return { ...domainShiftReport({ calculator, reference, target, domain, bins: opts.bins }), domain };
  } finally {
    dispose();
  }
}
