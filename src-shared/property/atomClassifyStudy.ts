// Cross-validated per-atom classification (issue 7): each atom is one sample, its features the
// atom-centred symmetry functions of its neighbourhood (acsfPooled.ts building blocks, float64,
// invariant to rotation, translation and permutation), its label a per-atom column of the data
// (e.g. `structure_type` = fcc/bcc/hcp/surface). The softmax classifier (softmaxClassifier.ts) is
// trained on the atoms of all folds but one (folds are per structure, so no structure is split)
// and predicts the atoms of that fold; out-of-fold predictions give the per-atom confusion matrix
// and the predicted class of every atom of the structure shown in the viewer.
import type { Frame } from '../atoms/frame';
import { acsfPerAtom, fitAcsfLayout } from '../representations/acsfPooled';
import type { FoldAssignment } from './crossValidation';
import { confusionMatrix, type ConfusionMatrix } from './metrics';
import { fitSoftmax, predictClasses } from './softmaxClassifier';

export interface AtomClassTarget {
  key: string;
  classes: string[];
  /** Per frame, [N] class index per atom. */
  labels: Int32Array[];
}

/** Classes of a width-1 integer, boolean or string per-atom column; integers sort numerically. */
export function atomClassTarget(frames: readonly Frame[], key: string): AtomClassTarget | { error: string } {
  const raw: string[][] = [];
  for (let i = 0; i < frames.length; i++) {
    const col = frames[i].arrays[key];
    if (!col) return { error: `frame ${i} has no per-atom column "${key}" (per-atom columns there: ${Object.keys(frames[i].arrays).join(', ') || 'none'})` };
    if (col.width !== 1) return { error: `per-atom column "${key}" has ${col.width} values per atom; a class needs one` };
    if (col.kind === 'real') return { error: `per-atom column "${key}" is real-valued; classes need an integer, boolean or string column` };
    raw.push(Array.from(col.data as ArrayLike<number | string>, (v) => String(v)));
  }
  const set = [...new Set(raw.flat())];
  const numeric = set.every((s) => /^-?\d+$/.test(s));
  const classes = numeric ? set.sort((a, b) => Number(a) - Number(b)) : set.sort();
  const index = new Map(classes.map((c, k) => [c, k]));
  return { key, classes, labels: raw.map((r) => Int32Array.from(r, (s) => index.get(s)!)) };
}

export interface AtomClassifierStudyResult {
  key: string;
  classes: string[];
  dimension: number;
  /** Atoms classified out of fold, and structures they belong to. */
  nAtoms: number;
  nFrames: number;
  confusion: ConfusionMatrix;
  folds: { fold: string; nTrainAtoms: number; nTestAtoms: number; accuracy: number }[];
  /** The structure asked for: its true and predicted class per atom (out of fold, or by a model
   * trained on every fold when the structure is in none). */
  frame: { index: number; truth: number[]; predicted: number[] };
}

export function runAtomClassifierStudy(frames: readonly Frame[], o: { target: AtomClassTarget; folds: FoldAssignment; frameIndex: number; l2?: number; onProgress?: (p: { stage: 'features' | 'cross-validation'; message: string; fraction: number }) => void }): AtomClassifierStudyResult {
  const { target, folds } = o;
  const C = target.classes.length;
  if (C < 2) throw new Error(`per-atom column "${target.key}" has a single value (${target.classes[0]}); classification needs at least 2 classes`);
  if (!(o.frameIndex >= 0 && o.frameIndex < frames.length)) throw new Error(`frame ${o.frameIndex} is out of range (the dataset has ${frames.length})`);
  // The layout depends on the species only (no labels), so it is shared by all folds.
  const layout = fitAcsfLayout(frames);
  const dim = layout.perAtom;
  const feats: Float64Array[] = frames.map((f, i) => {
    if (i % 10 === 0) o.onProgress?.({ stage: 'features', message: `symmetry functions: ${i}/${frames.length}`, fraction: 0.3 * (i / frames.length) });
    return acsfPerAtom(f, layout).values;
  });
  const gather = (ids: number[]) => {
    const n = ids.reduce((s, i) => s + frames[i].numbers.length, 0);
    const X = new Float64Array(n * dim), y = new Int32Array(n);
    let o2 = 0;
    for (const i of ids) {
      X.set(feats[i], o2 * dim);
      y.set(target.labels[i], o2);
      o2 += frames[i].numbers.length;
    }
    return { X, y, n };
  };
  const K = folds.labels.length;
  const inFold = (k: number) => frames.map((_, i) => i).filter((i) => folds.ids[i] === k);
  const allTrue: number[] = [], allPred: number[] = [];
  const res: AtomClassifierStudyResult['folds'] = [];
  let frame: AtomClassifierStudyResult['frame'] | null = null;
  for (let k = 0; k < K; k++) {
    const test = inFold(k);
    if (!test.length) continue;
    const train = frames.map((_, i) => i).filter((i) => folds.ids[i] >= 0 && folds.ids[i] !== k);
    if (!train.length) throw new Error(`fold ${folds.labels[k]} holds every structure; per-atom cross-validation needs at least 2 folds`);
    o.onProgress?.({ stage: 'cross-validation', message: `fold ${k + 1}/${K}: fitting the softmax classifier`, fraction: 0.3 + 0.7 * (k / K) });
    const tr = gather(train), te = gather(test);
    const fit = fitSoftmax(tr.X, tr.n, dim, tr.y, target.classes, { l2: o.l2 ?? 1e-2 });
    const p = predictClasses(fit.model, te.X, te.n);
    let ok = 0;
    for (let a = 0; a < te.n; a++) {
      allTrue.push(te.y[a]);
      allPred.push(p[a]);
      if (p[a] === te.y[a]) ok++;
    }
    res.push({ fold: folds.labels[k], nTrainAtoms: tr.n, nTestAtoms: te.n, accuracy: ok / te.n });
    let off = 0;
    for (const i of test) {
      const n = frames[i].numbers.length;
      if (i === o.frameIndex) frame = { index: i, truth: Array.from(target.labels[i]), predicted: Array.from(p.subarray(off, off + n)) };
      off += n;
    }
  }
  if (allTrue.length === 0) throw new Error('no structure is in a fold');
  if (!frame) {
    const all = gather(frames.map((_, i) => i).filter((i) => folds.ids[i] >= 0));
    const fit = fitSoftmax(all.X, all.n, dim, all.y, target.classes, { l2: o.l2 ?? 1e-2 });
    const f = frames[o.frameIndex];
    frame = { index: o.frameIndex, truth: Array.from(target.labels[o.frameIndex]), predicted: Array.from(predictClasses(fit.model, feats[o.frameIndex], f.numbers.length)) };
  }
  const nFrames = frames.filter((_, i) => folds.ids[i] >= 0).length;
  return { key: target.key, classes: target.classes, dimension: dim, nAtoms: allTrue.length, nFrames, confusion: confusionMatrix(allTrue, allPred, C), folds: res, frame };
}
