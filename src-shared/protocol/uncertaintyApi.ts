// The uncertainty / looking-inside part of the API contract (issue 6), spread into api.ts:
//   uncertainty.shift      a trained run (model or committee) on a reference and a new dataset:
//                          errors, committee spread and descriptor scores side by side
//   uncertainty.atoms      per-atom values of one structure for colouring atoms in the viewer:
//                          atomic energies, committee force spread, descriptor score
//   uncertainty.landscape  1D / 2D loss slices around a run's trained weights, path projected
// Committee training itself is train.start with `committee: { k }` (one run folder, K members).
// Everything runs in a training worker; results are plain JSON (units in the field names).
import { z } from 'zod';

const idSchema = z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/);
const elementMapSchema = z.record(z.string().regex(/^[A-Z][a-z]{0,2}$/), z.string().regex(/^[A-Z][a-z]{0,2}$/));

export const committeeSchema = z.object({ k: z.number().int().min(2).max(16), bootstrap: z.boolean().optional() }).strict();

export const uncertaintyRequestSchemas = {
  'uncertainty.shift': z
    .object({
      runId: idSchema,
      referenceDatasetId: idSchema,
      targetDatasetId: idSchema,
      /** Rename elements of the target set first (e.g. { Ge: 'Si' }): another element's structures through this model. */
      elementMap: elementMapSchema.optional(),
      bins: z.number().int().min(5).max(200).optional(),
    })
    .strict(),
  'uncertainty.atoms': z
    .object({
      runId: idSchema,
      datasetId: idSchema,
      frameIndex: z.number().int().nonnegative(),
      elementMap: elementMapSchema.optional(),
    })
    .strict(),
  'uncertainty.landscape': z
    .object({
      runId: idSchema,
      datasetId: idSchema,
      grid2d: z.number().int().min(3).max(41).optional(),
      grid1d: z.number().int().min(3).max(101).optional(),
      span: z.number().positive().max(10).optional(),
      maxFrames: z.number().int().min(1).max(500).optional(),
      directions: z.enum(['random', 'pca']).optional(),
      seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
    })
    .strict(),
} as const;

export interface HistogramDto {
  edges: number[];
  counts: Record<string, number[]>;
  fractions: Record<string, number[]>;
  clipped: Record<string, number>;
}

export interface ThresholdsDto {
  count: number;
  median: number;
  p95: number;
  p99: number;
}

export interface ShiftSetDto {
  name: string;
  frames: number;
  atoms: number;
  energyMaeMevPerAtom: number | null;
  energyRmseMevPerAtom: number | null;
  forceMaeEvPerA: number | null;
  forceRmseEvPerA: number | null;
  descriptor: { scoreMedian: number; scoreP95: number; fractionExtrapolating: number; fractionAboveP95Threshold: number; fractionAboveP99Threshold: number } | null;
  committee: { energyStdMevPerAtomMean: number; forceStdEvPerAMedian: number; forceStdEvPerAP95: number; fractionAboveP95Threshold: number; fractionAboveP99Threshold: number } | null;
}

export interface DomainShiftDto {
  calculator: string;
  committeeSize: number;
  /** Why the descriptor score is missing (model without symmetry functions, data not found), or null. */
  descriptorNote: string | null;
  reference: ShiftSetDto;
  target: ShiftSetDto;
  histograms: {
    energyErrorMevPerAtom: HistogramDto;
    forceErrorEvPerA: HistogramDto;
    descriptorScore: HistogramDto | null;
    committeeForceStdEvPerA: HistogramDto | null;
    committeeEnergyStdMevPerAtom: HistogramDto | null;
  };
  thresholds: { source: 'validation' | 'reference'; descriptorScore: ThresholdsDto | null; committeeForceStdEvPerA: ThresholdsDto | null };
  ratios: { energyMae: number | null; forceMae: number | null; descriptorScoreMedian: number | null; committeeForceStdMedian: number | null };
}

export interface AtomUncertaintyDto {
  calculator: string;
  committeeSize: number;
  atoms: number;
  energyEv: number;
  /** [N] per-atom energies (E0 included; sum = energyEv), or null when the model has none. */
  energiesEv: number[] | null;
  /** [N] e_i minus the mean e of the same element in this structure. */
  energiesRelativeEv: number[] | null;
  /** [N] committee spread of each atom's force vector (committees only). */
  forceStdEvPerA: number[] | null;
  /** [N] committee spread of each atom's energy (committees only). */
  energiesStdEv: number[] | null;
  /** [N] per-atom force sensitivity sqrt(Σ_j ||∂F_i/∂x_j||²) (perAtom.ts; random probes), or null above 2000 atoms. */
  forceSensitivityEvPerA2: number[] | null;
  /** [N] descriptor-distance score (symmetry-function models), dimensionless. */
  descriptorScore: number[] | null;
  /** [N] features outside the training range per atom (n2p2's extrapolation warnings). */
  outOfRangeFeatures: number[] | null;
  /** Calibrated on the run's validation frames (null when unavailable). */
  descriptorThresholds: ThresholdsDto | null;
  descriptorNote: string | null;
}

export interface LandscapeDto {
  modelType: string;
  parameters: number;
  frames: number;
  atoms: number;
  lossWeights: Record<string, number>;
  lossUnits: 'dimensionless';
  directions: { kind: string; seed: number; cosine: number; explained: [number, number] | null };
  center: { total: number; energy: number; forces: number; stress: number };
  slice1d: { axis: number[]; total: number[] };
  slice2d: { alpha: number[]; beta: number[]; total: number[][] };
  path: { labels: string[]; alpha: number[]; beta: number[]; residual: number[]; loss: number[] } | null;
  pathSource: string;
}

export interface UncertaintyResults {
  'uncertainty.shift': DomainShiftDto;
  'uncertainty.atoms': AtomUncertaintyDto;
  'uncertainty.landscape': LandscapeDto;
}
