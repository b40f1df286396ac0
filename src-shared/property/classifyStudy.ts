// Cross-validated structure classification (issue 7): a representation per structure and the
// softmax classifier (softmaxClassifier.ts, L-BFGS on the cross-entropy) trained on all folds but
// one and tested on that one; out-of-fold predictions give the confusion matrix with per-class
// precision and recall. Labels come from an info key (ClassTarget: strings, integers, booleans).
import type { Frame } from '../atoms/frame';
import { featurizeAll, representationById, type RepresentationId } from '../representations/registry';
import type { FoldAssignment } from './crossValidation';
import { confusionMatrix, type ConfusionMatrix } from './metrics';
import { fitSoftmax, predictClasses } from './softmaxClassifier';
import type { ClassTarget } from './targets';

export interface ClassifierStudyOptions {
  representation: RepresentationId;
  target: ClassTarget;
  folds: FoldAssignment;
  /** L2 penalty of the softmax weights (default 1e-3). */
  l2?: number;
  onProgress?: (p: { stage: 'features' | 'cross-validation'; message: string; fraction: number }) => void;
}

export interface ClassifierStudyResult {
  representation: RepresentationId;
  key: string;
  classes: string[];
  dimension: number;
  n: number;
  excluded: number;
  confusion: ConfusionMatrix;
  folds: { fold: string; nTrain: number; nTest: number; accuracy: number }[];
  /** Out-of-fold predicted class per frame (-1 where excluded). */
  predicted: Int32Array;
}

export function runClassifierStudy(frames: readonly Frame[], o: ClassifierStudyOptions): ClassifierStudyResult {
  const rep = representationById(o.representation);
  if (!rep) throw new Error(`unknown representation "${o.representation}"`);
  const C = o.target.classes.length;
  if (C < 2) throw new Error(`class "${o.target.key}" has a single value (${o.target.classes[0]}); classification needs at least 2 classes`);
  const use: number[] = [];
  for (let i = 0; i < frames.length; i++) if (o.folds.ids[i] >= 0 && o.target.labels[i] >= 0) use.push(i);
  if (use.length < 4) throw new Error(`only ${use.length} structures have both a class and a fold`);
  const sub = use.map((i) => frames[i]);
  const fz = rep.fit(sub);
  const dim = fz.dimension;
  const X = featurizeAll(fz, sub, (done, total) => o.onProgress?.({ stage: 'features', message: `features (${rep.id}): ${done}/${total}`, fraction: 0.2 * (done / total) }));
  const labels = Int32Array.from(use, (i) => o.target.labels[i]);
  const foldIds = Int32Array.from(use, (i) => o.folds.ids[i]);
  const pred = new Int32Array(use.length).fill(-1);
  const K = o.folds.labels.length;
  const folds: ClassifierStudyResult['folds'] = [];
  for (let k = 0; k < K; k++) {
    const trainLabels = Int32Array.from(labels, (l, r) => (foldIds[r] === k ? -1 : l));
    const test: number[] = [];
    for (let r = 0; r < use.length; r++) if (foldIds[r] === k) test.push(r);
    if (!test.length) continue;
    o.onProgress?.({ stage: 'cross-validation', message: `fold ${k + 1}/${K}: fitting the softmax classifier`, fraction: 0.2 + 0.8 * (k / K) });
    const fit = fitSoftmax(X, use.length, dim, trainLabels, o.target.classes, { l2: o.l2 });
    const Xt = new Float64Array(test.length * dim);
    test.forEach((r, q) => Xt.set(X.subarray(r * dim, (r + 1) * dim), q * dim));
    const p = predictClasses(fit.model, Xt, test.length);
    let ok = 0;
    test.forEach((r, q) => {
      pred[r] = p[q];
      if (p[q] === labels[r]) ok++;
    });
    folds.push({ fold: o.folds.labels[k], nTrain: trainLabels.filter((l) => l >= 0).length, nTest: test.length, accuracy: ok / test.length });
  }
  const predicted = new Int32Array(frames.length).fill(-1);
  use.forEach((i, r) => (predicted[i] = pred[r]));
  return { representation: o.representation, key: o.target.key, classes: o.target.classes, dimension: dim, n: use.length, excluded: frames.length - use.length, confusion: confusionMatrix(labels, pred, C), folds, predicted };
}
