// The property-model part of the API contract (issue 7), spread into api.ts: list the
// representations and models, run a property study (features, nested CV, learning curve, cost
// against size, extensivity) in a worker thread with progress events, cancel it.
import { z } from 'zod';
import type { PropertyStudyResult } from '../property/study';
import type { ClassifierStudyResult } from '../property/classifyStudy';
import type { AtomClassifierStudyResult } from '../property/atomClassifyStudy';

const idSchema = z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/);

export const propertyRequestSchemas = {
  'property.options': z.object({}).strict(),
  'property.study': z
    .object({
      jobId: idSchema,
      datasetId: idSchema,
      representation: z.string().min(1).max(40),
      model: z.string().min(1).max(40),
      /** Per-frame info key (or "energy"), or a CSV column joined by frame index. */
      target: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('info'), key: z.string().min(1).max(200) }).strict(),
        z.object({ kind: z.literal('csv'), fileName: z.string().min(1).max(400), text: z.string().max(64 * 2 ** 20), column: z.string().min(1).max(200) }).strict(),
      ]),
      /** Folds from a per-frame info key, or k random folds. */
      folds: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('info'), key: z.string().min(1).max(200) }).strict(),
        z.object({ kind: z.literal('random'), k: z.number().int().min(2).max(20) }).strict(),
      ]),
      learningCurve: z.boolean(),
      /** Kernel models: learn the residual of a per-element least-squares baseline (default none). */
      baseline: z.enum(['none', 'composition']).optional(),
      costVsSize: z.boolean(),
      extensivity: z.boolean(),
      innerMaxTrain: z.number().int().min(20).max(20000).optional(),
      /** MLP only: passes over the training data per fit (default 400). */
      mlpEpochs: z.number().int().min(1).max(5000).optional(),
      seed: z.number().int().min(0).max(2 ** 32 - 1),
    })
    .strict(),
  'property.cancel': z.object({ jobId: idSchema }).strict(),
  /** Cross-validated classification of structures by a class-valued info key (softmax). */
  'property.classify': z
    .object({
      jobId: idSchema,
      datasetId: idSchema,
      representation: z.string().min(1).max(40),
      key: z.string().min(1).max(200),
      folds: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('info'), key: z.string().min(1).max(200) }).strict(),
        z.object({ kind: z.literal('random'), k: z.number().int().min(2).max(20) }).strict(),
      ]),
      l2: z.number().positive().max(1e3).optional(),
      seed: z.number().int().min(0).max(2 ** 32 - 1),
      /** Per-atom classes: `key` is then a per-atom column, the features per-atom symmetry
       * functions (representation ignored); the atoms of frame `frameIndex` come back predicted. */
      perAtom: z.object({ frameIndex: z.number().int().min(0) }).strict().optional(),
    })
    .strict(),
} as const;

export type PropertyClassifyDto = { jobId: string; foldSource: string } & (({ level: 'structure' } & ClassifierStudyResult) | ({ level: 'atom' } & AtomClassifierStudyResult));

export interface PropertyOptionsDto {
  representations: { id: string; title: string; description: string; citation: string; sizeExtensive: boolean; costScaling: string; invariances: Record<string, boolean> }[];
  models: { id: string; title: string; description: string }[];
}

export interface PropertyStudyDto extends PropertyStudyResult {
  jobId: string;
  target: string;
  /** Unit string of the target when known, else null. */
  units: string | null;
  foldSource: string;
}

export interface PropertyResults {
  'property.options': PropertyOptionsDto;
  'property.study': PropertyStudyDto;
  'property.cancel': { cancelled: boolean };
  'property.classify': PropertyClassifyDto;
}

export interface PropertyEvents {
  'property.progress': { jobId: string; stage: string; message: string; fraction: number };
}
