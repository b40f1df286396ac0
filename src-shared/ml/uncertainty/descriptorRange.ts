// Domain-shift detection in descriptor space for models on atom-centred symmetry functions
// (Behler-Parrinello, linear, kernel): is an atom's environment like those the model was trained on?
//
// Two signals per atom, both from the float64 descriptors G_i (symmetryFunctions.ts):
//  1. Range warnings, as n2p2 does (Singraber et al., JCTC 15, 1827 (2019): "extrapolation
//     warnings"): per element and feature, the training set's [min, max]; an atom's count of
//     features outside that range. Zero for interpolation, but blind to new COMBINATIONS of
//     in-range values.
//  2. A distance score: the mean Euclidean distance from the atom's standardised descriptor
//     x_i = (G_i - μ_Z) / σ_Z to its k nearest training environments of the same element, divided
//     by sqrt(F) (so it reads as "typical per-feature distance in training standard deviations").
//     The reference environments are a seeded reservoir sample of at most `referencePerSpecies`
//     training atoms per element (brute-force k-NN over M·F numbers per query atom). Distance to the
//     training set in feature space as an uncertainty proxy: Janet et al., Chem. Sci. 10, 7913 (2019);
//     Zhu et al., JCP 158, 164111 (2023) survey it against committees.
// A raw distance has no meaning of its own, so the score is CALIBRATED on validation atoms (never
// seen in training): thresholds at the 95th/99th percentile of their scores (per element and
// pooled), and, given the model as a Calculator, the curve of force error versus score
// (calibration.ts). The result is a plain JSON-able DomainModel the host saves next to the model
// (domain.json); scoreFrames applies it to new structures.
import type { Frame } from '../../atoms/frame';
import type { AtomicSystem, Calculator } from '../../calculators/calculator';
import { createRng } from '../../space/rng';
import { buildFrameGraph } from '../data/graph';
import { speciesIndices, speciesTable, type SpeciesTable } from '../data/species';
import type { SavedModel } from '../models/serialization';
import { checkSymmetryFunctions, descriptorsF64, featureLayout, featureNames, graphSpecOf, type SymmetryFunctionConfig } from '../models/symmetryFunctions';
import { calibrationCurve, fractionAbove, percentileThresholds, quantileSorted, sortedFinite, type CalibrationCurve, type Thresholds } from './calibration';

export const DOMAIN_FORMAT = 'atomforge-domain';

export interface DomainSpecies {
  symbol: string;
  trainAtoms: number;
  /** [F] raw descriptor statistics over the training atoms of this element. */
  mean: number[];
  std: number[];
  min: number[];
  max: number[];
  /** [M·F] standardised descriptors of M sampled training atoms (6 significant digits). */
  reference: number[];
  referenceCount: number;
  /** Percentiles of this element's validation scores (null without validation atoms). */
  thresholds: Thresholds | null;
}

export interface DomainCalibration {
  validFrames: number;
  validAtoms: number;
  /** Percentiles of all validation atoms' scores. */
  thresholds: Thresholds;
  /** Validation atoms with at least one feature outside the training range. */
  extrapolatingFraction: number;
  /** Validation atoms binned by score: force error |F_model - F_ref| (eV/Å) per bin; null without a calculator. */
  forceCurve: CalibrationCurve | null;
  /** Validation frames binned by their mean atom score: |E_model - E_ref| / N (meV/atom) per bin. */
  energyCurve: CalibrationCurve | null;
}

export interface DomainModel {
  format: typeof DOMAIN_FORMAT;
  version: 1;
  modelType: string;
  species: string[];
  symmetryFunctions: SymmetryFunctionConfig;
  featureNames: string[];
  /** Neighbours averaged in the distance score. */
  k: number;
  perSpecies: DomainSpecies[];
  calibration: DomainCalibration | null;
}

export interface DomainBuildOptions {
  /** Nearest training environments averaged (default 3). */
  k?: number;
  /** Training atoms kept per element as the k-NN reference (default 1000). */
  referencePerSpecies?: number;
  seed?: number;
  /** The model as a Calculator: force/energy errors of the validation frames for the calibration curves. */
  calculator?: Calculator;
  /** Calibration bins (default 10). */
  bins?: number;
}

interface Prepared {
  sf: SymmetryFunctionConfig;
  table: SpeciesTable;
  F: number;
}

function prepared(symmetryFunctions: SymmetryFunctionConfig, species: readonly string[]): Prepared {
  const sf = checkSymmetryFunctions(symmetryFunctions);
  const table = speciesTable(species);
  return { sf, table, F: featureLayout(sf, table.numbers.length).nFeatures };
}

/** Raw descriptors G [N·F] and species [N] of one structure. */
function frameDescriptors(p: Prepared, f: AtomicSystem): { values: Float64Array; species: Int32Array } {
  const species = speciesIndices(p.table, f.numbers);
  const graph = buildFrameGraph(f, graphSpecOf(p.sf));
  return { values: descriptorsF64(p.sf, graph, species, p.table.numbers.length).values, species };
}

const round6 = (x: number) => Number(x.toPrecision(6));

/**
 * Descriptor statistics of the training frames, calibrated on the validation frames.
 * The model must be built on symmetry functions (config.symmetryFunctions: bpnn, linear, kernel).
 */
export function buildDomainModel(saved: Pick<SavedModel, 'type' | 'config' | 'species'>, trainFrames: readonly AtomicSystem[], validFrames: readonly Frame[], opts: DomainBuildOptions = {}): DomainModel {
  const sfc = (saved.config as { symmetryFunctions?: SymmetryFunctionConfig } | null)?.symmetryFunctions;
  if (!sfc) throw new Error(`descriptor-range scores need a model on symmetry functions (bpnn, linear, kernel); this is a ${saved.type} model`);
  if (trainFrames.length === 0) throw new Error('buildDomainModel: no training frames');
  const p = prepared(sfc, saved.species);
  const S = p.table.numbers.length, F = p.F;
  const M = Math.max(1, opts.referencePerSpecies ?? 1000);
  const rng = createRng(opts.seed ?? 0);
  const count = new Float64Array(S), sum = new Float64Array(S * F), sum2 = new Float64Array(S * F);
  const min = new Float64Array(S * F).fill(Infinity), max = new Float64Array(S * F).fill(-Infinity);
  const reservoir: Float64Array[][] = Array.from({ length: S }, () => []);
  for (const f of trainFrames) {
    const { values, species } = frameDescriptors(p, f);
    for (let i = 0; i < species.length; i++) {
      const s = species[i], row = values.subarray(i * F, (i + 1) * F);
      count[s]++;
      for (let q = 0; q < F; q++) {
        const x = row[q], o = s * F + q;
        sum[o] += x;
        sum2[o] += x * x;
        if (x < min[o]) min[o] = x;
        if (x > max[o]) max[o] = x;
      }
      // reservoir sampling (Vitter's algorithm R): a uniform sample of M rows in one pass
      const res = reservoir[s];
      if (res.length < M) res.push(row.slice());
      else {
        const r = rng.int(count[s]);
        if (r < M) res[r] = row.slice();
      }
    }
  }
  const perSpecies: DomainSpecies[] = p.table.symbols.map((symbol, s) => {
    const mean: number[] = [], std: number[] = [];
    for (let q = 0; q < F; q++) {
      const n = Math.max(1, count[s]), m = sum[s * F + q] / n;
      const sd = Math.sqrt(Math.max(0, sum2[s * F + q] / n - m * m));
      mean.push(m);
      std.push(sd > 1e-6 * Math.max(1, Math.abs(m)) ? sd : 1); // constant features: unit scale, as featureStatistics
    }
    const reference: number[] = [];
    for (const row of reservoir[s]) for (let q = 0; q < F; q++) reference.push(round6((row[q] - mean[q]) / std[q]));
    return {
      symbol,
      trainAtoms: count[s],
      mean,
      std,
      min: Array.from(min.subarray(s * F, (s + 1) * F), (x) => (Number.isFinite(x) ? x : 0)),
      max: Array.from(max.subarray(s * F, (s + 1) * F), (x) => (Number.isFinite(x) ? x : 0)),
      reference,
      referenceCount: reservoir[s].length,
      thresholds: null,
    };
  });
  const model: DomainModel = {
    format: DOMAIN_FORMAT,
    version: 1,
    modelType: saved.type,
    species: [...p.table.symbols],
    symmetryFunctions: p.sf,
    featureNames: featureNames(p.sf, p.table.symbols),
    k: Math.max(1, opts.k ?? 3),
    perSpecies,
    calibration: null,
  };
  if (validFrames.length) model.calibration = calibrateDomainModel(model, validFrames, opts);
  return model;
}

/** Fill thresholds and calibration curves from validation frames (returns the calibration). */
export function calibrateDomainModel(model: DomainModel, validFrames: readonly Frame[], opts: Pick<DomainBuildOptions, 'calculator' | 'bins'> = {}): DomainCalibration {
  const sc = scoreFrames({ ...model, calibration: null }, validFrames);
  const perSpeciesScores: number[][] = model.species.map(() => []);
  for (let a = 0; a < sc.atomScores.length; a++) perSpeciesScores[sc.atomSpecies[a]].push(sc.atomScores[a]);
  model.perSpecies.forEach((s, k) => (s.thresholds = perSpeciesScores[k].length ? percentileThresholds(perSpeciesScores[k]) : null));
  let forceCurve: CalibrationCurve | null = null, energyCurve: CalibrationCurve | null = null;
  if (opts.calculator) {
    const fScore: number[] = [], fErr: number[] = [], eScore: number[] = [], eErr: number[] = [];
    validFrames.forEach((f, k) => {
      const r = opts.calculator!.compute(f, { forces: !!f.forcesEvPerA });
      const off = sc.frameOffsets[k], n = f.numbers.length;
      if (f.energyEv !== undefined) {
        eScore.push(sc.frames[k].scoreMean);
        eErr.push((1000 * Math.abs(r.energyEv - f.energyEv)) / n);
      }
      if (f.forcesEvPerA && r.forcesEvPerA) {
        for (let i = 0; i < n; i++) {
          let e2 = 0;
          for (let c = 0; c < 3; c++) e2 += (r.forcesEvPerA[3 * i + c] - f.forcesEvPerA[3 * i + c]) ** 2;
          fScore.push(sc.atomScores[off + i]);
          fErr.push(Math.sqrt(e2));
        }
      }
    });
    const bins = opts.bins ?? 10;
    if (fScore.length) forceCurve = calibrationCurve(fScore, fErr, bins);
    if (eScore.length >= 3) energyCurve = calibrationCurve(eScore, eErr, Math.min(bins, Math.floor(eScore.length / 3)));
  }
  const cal: DomainCalibration = {
    validFrames: validFrames.length,
    validAtoms: sc.atomScores.length,
    thresholds: percentileThresholds(sc.atomScores),
    extrapolatingFraction: sc.summary.fractionExtrapolating,
    forceCurve,
    energyCurve,
  };
  model.calibration = cal;
  return cal;
}

export interface FrameScore {
  frame: number;
  atoms: number;
  scoreMean: number;
  scoreMax: number;
  /** Atoms above their element's calibrated p95 / p99 thresholds (0 when uncalibrated). */
  atomsAboveP95: number;
  atomsAboveP99: number;
  /** Features outside the training range, summed over atoms (n2p2's warning count). */
  extrapolationWarnings: number;
  atomsExtrapolating: number;
}

export interface DomainScoreSummary {
  frames: number;
  atoms: number;
  scoreMean: number;
  scoreMedian: number;
  scoreP95: number;
  scoreMax: number;
  /** Fractions of atoms above the calibrated thresholds (null when the model is uncalibrated). */
  fractionAboveP95: number | null;
  fractionAboveP99: number | null;
  fractionExtrapolating: number;
  extrapolationWarnings: number;
  /** Features most often out of range: name and number of atoms. */
  featuresOutOfRange: { feature: string; atoms: number }[];
}

export interface DomainScores {
  frames: FrameScore[];
  /** Per atom, all frames concatenated (frame f owns frameOffsets[f] .. frameOffsets[f+1]). */
  atomScores: Float64Array;
  atomOutOfRange: Int32Array;
  atomSpecies: Int32Array;
  frameOffsets: Int32Array;
  summary: DomainScoreSummary;
}

interface ScoringTables {
  p: Prepared;
  mean: Float64Array[];
  std: Float64Array[];
  min: Float64Array[];
  max: Float64Array[];
  ref: Float64Array[];
  refCount: number[];
  t95: number[];
  t99: number[];
}

function tables(model: DomainModel): ScoringTables {
  if (model.format !== DOMAIN_FORMAT) throw new Error(`not a domain model (format: ${String(model.format)})`);
  const p = prepared(model.symmetryFunctions, model.species);
  const pooled = model.calibration?.thresholds;
  const pick = (s: DomainSpecies, key: 'p95' | 'p99') => (s.thresholds && s.thresholds.count >= 50 ? s.thresholds[key] : (pooled?.[key] ?? Infinity));
  return {
    p,
    mean: model.perSpecies.map((s) => Float64Array.from(s.mean)),
    std: model.perSpecies.map((s) => Float64Array.from(s.std)),
    min: model.perSpecies.map((s) => Float64Array.from(s.min)),
    max: model.perSpecies.map((s) => Float64Array.from(s.max)),
    ref: model.perSpecies.map((s) => Float64Array.from(s.reference)),
    refCount: model.perSpecies.map((s) => s.referenceCount),
    t95: model.perSpecies.map((s) => pick(s, 'p95')),
    t99: model.perSpecies.map((s) => pick(s, 'p99')),
  };
}

/** Mean distance to the k nearest rows of ref [M·F] (partial-distance early exit), / sqrt(F). */
function knnScore(x: Float64Array, ref: Float64Array, M: number, F: number, best: Float64Array): number {
  const k = best.length;
  best.fill(Infinity);
  for (let m = 0; m < M; m++) {
    const o = m * F;
    const worst = best[k - 1];
    let d2 = 0;
    for (let q = 0; q < F && d2 < worst; q++) {
      const d = x[q] - ref[o + q];
      d2 += d * d;
    }
    if (d2 >= worst) continue;
    let j = k - 1;
    while (j > 0 && best[j - 1] > d2) {
      best[j] = best[j - 1];
      j--;
    }
    best[j] = d2;
  }
  let s = 0, n = 0;
  for (let j = 0; j < k; j++) if (Number.isFinite(best[j])) {
    s += Math.sqrt(best[j]);
    n++;
  }
  return n ? s / n / Math.sqrt(F) : Infinity;
}

/**
 * Range warnings and distance scores of every atom of `frames` (elements must be the model's;
 * see mapElements in domainShift.ts to score another element's structures).
 */
export function scoreFrames(model: DomainModel, frames: readonly AtomicSystem[]): DomainScores {
  const t = tables(model);
  const F = t.p.F;
  const total = frames.reduce((s, f) => s + f.numbers.length, 0);
  const atomScores = new Float64Array(total), atomOutOfRange = new Int32Array(total), atomSpecies = new Int32Array(total);
  const frameOffsets = new Int32Array(frames.length + 1);
  const featureOut = new Float64Array(F);
  const best = new Float64Array(Math.min(model.k, Math.max(1, Math.min(...t.refCount))));
  const x = new Float64Array(F);
  const out: FrameScore[] = [];
  let a = 0, warnings = 0, extrap = 0;
  frames.forEach((f, k) => {
    frameOffsets[k] = a;
    const { values, species } = frameDescriptors(t.p, f);
    const fs: FrameScore = { frame: k, atoms: species.length, scoreMean: 0, scoreMax: 0, atomsAboveP95: 0, atomsAboveP99: 0, extrapolationWarnings: 0, atomsExtrapolating: 0 };
    for (let i = 0; i < species.length; i++, a++) {
      const s = species[i];
      const mean = t.mean[s], std = t.std[s], lo = t.min[s], hi = t.max[s];
      let nOut = 0;
      for (let q = 0; q < F; q++) {
        const g = values[i * F + q];
        const tol = 1e-10 * Math.max(1, hi[q] - lo[q]);
        if (g < lo[q] - tol || g > hi[q] + tol) {
          nOut++;
          featureOut[q]++;
        }
        x[q] = (g - mean[q]) / std[q];
      }
      const score = t.refCount[s] ? knnScore(x, t.ref[s], t.refCount[s], F, best) : Infinity;
      atomScores[a] = score;
      atomOutOfRange[a] = nOut;
      atomSpecies[a] = s;
      fs.scoreMean += score;
      if (score > fs.scoreMax) fs.scoreMax = score;
      if (score > t.t95[s]) fs.atomsAboveP95++;
      if (score > t.t99[s]) fs.atomsAboveP99++;
      fs.extrapolationWarnings += nOut;
      if (nOut) fs.atomsExtrapolating++;
    }
    fs.scoreMean /= Math.max(1, species.length);
    warnings += fs.extrapolationWarnings;
    extrap += fs.atomsExtrapolating;
    out.push(fs);
  });
  frameOffsets[frames.length] = a;
  const sorted = sortedFinite(atomScores);
  let sum = 0;
  for (const v of sorted) sum += v;
  const calibrated = !!model.calibration;
  const above = (key: 'atomsAboveP95' | 'atomsAboveP99') => (calibrated && total ? out.reduce((s, f) => s + f[key], 0) / total : null);
  const featuresOutOfRange = Array.from(featureOut, (n, q) => ({ feature: model.featureNames[q] ?? `feature ${q}`, atoms: n }))
    .filter((e) => e.atoms > 0)
    .sort((u, v) => v.atoms - u.atoms)
    .slice(0, 8);
  return {
    frames: out,
    atomScores,
    atomOutOfRange,
    atomSpecies,
    frameOffsets,
    summary: {
      frames: frames.length,
      atoms: total,
      scoreMean: sorted.length ? sum / sorted.length : NaN,
      scoreMedian: quantileSorted(sorted, 0.5),
      scoreP95: quantileSorted(sorted, 0.95),
      scoreMax: sorted.length ? sorted[sorted.length - 1] : NaN,
      fractionAboveP95: above('atomsAboveP95'),
      fractionAboveP99: above('atomsAboveP99'),
      fractionExtrapolating: total ? extrap / total : 0,
      extrapolationWarnings: warnings,
      featuresOutOfRange,
    },
  };
}

/** Fraction of the atoms of a score set above a pooled threshold (for reports on any threshold). */
export function fractionOfAtomsAbove(scores: DomainScores, threshold: number): number {
  return fractionAbove(scores.atomScores, threshold);
}

/** Parse and check a domain.json document. */
export function parseDomainModel(json: string): DomainModel {
  const d = JSON.parse(json) as DomainModel;
  if (d.format !== DOMAIN_FORMAT) throw new Error(`not a domain model file (format: ${String(d.format)})`);
  if (!(d.version <= 1)) throw new Error(`domain model version ${d.version} is newer than this program`);
  return d;
}
