// One property study request resolved against a dataset's frames (runs inside the ML worker
// thread): the target from a per-frame info key or a CSV column joined by frame index, the folds
// from an info key or k random folds, then src-shared/property/study.ts. Bad input becomes an Error
// whose message names the key, file and line.
import type { Frame } from '../../src-shared/atoms/frame';
import { foldsFromInfo, randomFolds, type FoldAssignment } from '../../src-shared/property/crossValidation';
import { classTarget, csvNumericTarget, numericTarget, parseCsv, unitsOfKey, type NumericTarget } from '../../src-shared/property/targets';
import { runPropertyStudy, type AsyncRegressor, type StudyProgress } from '../../src-shared/property/study';
import { fitMlpRegressor, predictMlp } from '../../src-shared/property/mlpRegressor';
import type { Params, Results } from '../../src-shared/protocol/api';
import { runClassifierStudy } from '../../src-shared/property/classifyStudy';
import { atomClassTarget, runAtomClassifierStudy } from '../../src-shared/property/atomClassifyStudy';
import type { PropertyStudyDto } from '../../src-shared/protocol/propertyApi';
import type { PropertyModelId } from '../../src-shared/property/propertyModel';
import type { RepresentationId } from '../../src-shared/representations/registry';

export type PropertyStudyParams = Params<'property.study'>;

export function resolveTarget(frames: readonly Frame[], t: PropertyStudyParams['target']): NumericTarget {
  if (t.kind === 'info') {
    const r = numericTarget(frames, t.key);
    if ('error' in r) throw new Error(`target: ${r.error}`);
    return r;
  }
  const table = parseCsv(t.text, t.fileName);
  if ('error' in table) throw new Error(`${table.error.file}:${table.error.line}: ${table.error.message}`);
  const r = csvNumericTarget(table, t.column, frames.length, { fileName: t.fileName });
  if ('error' in r) throw new Error(`${r.error.file}:${r.error.line}: ${r.error.message}`);
  return r;
}

export function resolveFolds(frames: readonly Frame[], f: PropertyStudyParams['folds'], seed: number): FoldAssignment {
  if (f.kind === 'random') {
    if (f.k > frames.length) throw new Error(`folds: ${f.k} random folds need at least ${f.k} frames (the dataset has ${frames.length})`);
    return randomFolds(frames.length, f.k, seed);
  }
  const r = foldsFromInfo(frames, f.key);
  if ('error' in r) throw new Error(`folds: ${r.error}`);
  return r;
}

export type PropertyClassifyParams = Params<'property.classify'>;

export function runClassifyJob(frames: readonly Frame[], p: PropertyClassifyParams, onProgress?: (s: StudyProgress) => void): Results['property.classify'] {
  const folds = resolveFolds(frames, p.folds, p.seed);
  const foldSource = p.folds.kind === 'info' ? `info key "${p.folds.key}" (${folds.labels.length} folds)` : `${p.folds.k} random folds (seed ${p.seed})`;
  const progress = (s: { stage: 'features' | 'cross-validation'; message: string; fraction: number }) => onProgress?.({ stage: s.stage, message: s.message, fraction: s.fraction });
  if (p.perAtom) {
    const target = atomClassTarget(frames, p.key);
    if ('error' in target) throw new Error(`per-atom class: ${target.error}`);
    const r = runAtomClassifierStudy(frames, { target, folds, frameIndex: p.perAtom.frameIndex, l2: p.l2, onProgress: progress });
    return { ...r, level: 'atom', jobId: p.jobId, foldSource };
  }
  const target = classTarget(frames, p.key);
  if ('error' in target) throw new Error(`class: ${target.error}`);
  const r = runClassifierStudy(frames, { representation: p.representation as RepresentationId, target, folds, l2: p.l2, onProgress: progress });
  return { ...r, level: 'structure', jobId: p.jobId, foldSource };
}

/** The MLP's fit with TensorFlow.js in this thread (loaded only when the MLP is asked for). */
async function mlpRegressor(seed: number, epochs?: number): Promise<AsyncRegressor> {
  const { tfNode } = await import('../ml/tfNode');
  const { tf } = await tfNode('auto');
  return async (X, n, dim, y) => {
    const m = await fitMlpRegressor(tf, X, n, dim, y, { seed, epochs });
    return (Xq, nq) => predictMlp(m, Xq, nq);
  };
}

export async function runPropertyJob(frames: readonly Frame[], p: PropertyStudyParams, onProgress?: (s: StudyProgress) => void): Promise<PropertyStudyDto> {
  const target = resolveTarget(frames, p.target);
  const folds = resolveFolds(frames, p.folds, p.seed);
  const result = await runPropertyStudy(frames, {
    representation: p.representation as RepresentationId,
    model: p.model as PropertyModelId,
    regressor: p.model === 'mlp' ? await mlpRegressor(p.seed, p.mlpEpochs) : undefined,
    targets: target.values,
    folds,
    innerMaxTrain: p.innerMaxTrain,
    seed: p.seed,
    learningCurve: p.learningCurve,
    baseline: p.baseline,
    costVsSize: p.costVsSize,
    extensivity: p.extensivity,
    onProgress,
  });
  const targetName = p.target.kind === 'info' ? p.target.key : `${p.target.fileName}:${p.target.column}`;
  return {
    ...result,
    jobId: p.jobId,
    target: targetName,
    units: target.units ?? unitsOfKey(p.target.kind === 'info' ? p.target.key : p.target.column),
    foldSource: p.folds.kind === 'info' ? `info key "${p.folds.key}" (${folds.labels.length} folds)` : `${p.folds.k} random folds (seed ${p.seed})`,
  };
}
