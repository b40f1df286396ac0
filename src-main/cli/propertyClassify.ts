// `atomforge property classify DATA --target KEY (--folds INFO_KEY | --k K) [--per-atom]
// [--representation R] [--frame I] [--l2 X] [--json]` (issue 7): cross-validated softmax
// classification, the CLI twin of the Property-model view's classifier.
//   per structure (default): KEY is a per-frame info key (strings, integers or booleans); features
//     from --representation (default bob); runClassifierStudy.
//   --per-atom: KEY is a per-atom column (e.g. structure_type = fcc/bcc/hcp/surface); features are
//     the atom-centred symmetry functions of each atom; folds are per structure, so no structure is
//     split between training and test; runAtomClassifierStudy. --frame I also prints the true and
//     out-of-fold predicted class of every atom of frame I.
// Prints the out-of-fold accuracy, the confusion matrix (rows = true class) with per-class precision
// and recall, and per-fold accuracies; --json prints one JSON object with the same content.
import { basename } from 'node:path';
import { atomClassTarget, runAtomClassifierStudy } from '../../src-shared/property/atomClassifyStudy';
import { runClassifierStudy } from '../../src-shared/property/classifyStudy';
import { foldsFromInfo, randomFolds, type FoldAssignment } from '../../src-shared/property/crossValidation';
import type { ConfusionMatrix } from '../../src-shared/property/metrics';
import { classTarget } from '../../src-shared/property/targets';
import { REPRESENTATIONS, representationById } from '../../src-shared/representations/registry';
import { fail, load, optNumber as num, optString as str } from './common';

type Opts = Record<string, string | boolean>;

function confusionJson(classes: string[], c: ConfusionMatrix) {
  const nan = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    accuracy: c.accuracy,
    classes,
    confusion_matrix: c.matrix,
    per_class: classes.map((name, k) => ({ class: name, precision: nan(c.perClass[k].precision), recall: nan(c.perClass[k].recall), support: c.perClass[k].support })),
  };
}

function printConfusion(classes: string[], c: ConfusionMatrix): void {
  const w = Math.max(8, ...classes.map((s) => s.length + 1));
  console.log(`  confusion matrix (rows: true class, columns: predicted)`);
  console.log(`  ${''.padEnd(w)}${classes.map((s) => s.padStart(w)).join('')}   recall  precision`);
  classes.forEach((name, k) => {
    const pc = c.perClass[k];
    console.log(`  ${name.padEnd(w)}${c.matrix[k].map((v) => String(v).padStart(w)).join('')}   ${pc.recall.toFixed(3).padStart(6)}  ${pc.precision.toFixed(3).padStart(9)}`);
  });
}

export async function runClassify(data: string, options: Opts): Promise<number> {
  const key = str(options, 'target');
  if (!key) return fail('--target KEY is required (a per-frame info key with class labels, or with --per-atom a per-atom column such as structure_type)', 2);
  const perAtom = options['per-atom'] === true;
  const foldKey = str(options, 'folds');
  const k = num(options, 'k');
  if (!foldKey && k === undefined) return fail('--folds INFO_KEY (or --k K for random folds over structures) is required', 2);
  const repId = str(options, 'representation') ?? 'bob';
  if (!perAtom && !representationById(repId)) return fail(`--representation must be one of ${REPRESENTATIONS.map((r) => r.id).join(', ')}, got "${repId}"`, 2);
  if (perAtom && str(options, 'representation') !== undefined) return fail('--per-atom uses atom-centred symmetry functions; drop --representation', 2);
  const l2 = num(options, 'l2');
  if (l2 !== undefined && !(l2 >= 0)) return fail(`--l2 must be >= 0, got ${str(options, 'l2')}`, 2);
  const seed = num(options, 'seed') ?? 1;

  const d = await load(data, options);
  if (!d) return 1;
  const frames = d.frames;
  const frameIndex = num(options, 'frame') ?? 0;
  if (!(Number.isInteger(frameIndex) && frameIndex >= 0 && frameIndex < frames.length)) return fail(`--frame must be a frame index 0..${frames.length - 1}, got ${str(options, 'frame')}`, 2);
  let folds: FoldAssignment;
  if (foldKey) {
    const f = foldsFromInfo(frames, foldKey);
    if ('error' in f) return fail(`${basename(data)}: ${f.error}`);
    folds = f;
  } else {
    if (!(Number.isInteger(k) && k! >= 2 && k! <= frames.length)) return fail(`--k must be an integer from 2 to the number of frames (${frames.length}), got ${str(options, 'k')}`, 2);
    folds = randomFolds(frames.length, k!, seed);
  }
  const t0 = performance.now();
  const tty = process.stderr.isTTY || process.env.ATOMFORGE_PROGRESS === '1';
  const onProgress = (p: { message: string }) => {
    if (tty) process.stderr.write(`\r${p.message.padEnd(60)}`);
  };
  try {
    if (perAtom) {
      const t = atomClassTarget(frames, key);
      if ('error' in t) return fail(`${basename(data)}: ${t.error}`);
      const r = runAtomClassifierStudy(frames, { target: t, folds, frameIndex, l2, onProgress });
      if (tty) process.stderr.write('\n');
      const out = {
        file: data,
        kind: 'per-atom',
        target: key,
        features: `atom-centred symmetry functions (${r.dimension} per atom)`,
        n_atoms: r.nAtoms,
        n_frames: r.nFrames,
        fold_key: foldKey ?? null,
        ...confusionJson(r.classes, r.confusion),
        folds: r.folds.map((f) => ({ fold: f.fold, n_train_atoms: f.nTrainAtoms, n_test_atoms: f.nTestAtoms, accuracy: f.accuracy })),
        frame: { index: r.frame.index, true: r.frame.truth.map((c) => r.classes[c]), predicted: r.frame.predicted.map((c) => r.classes[c]) },
        time_s: (performance.now() - t0) / 1000,
      };
      if (options.json) console.log(JSON.stringify(out));
      else {
        console.log(`per-atom classes "${key}" (${r.classes.join(', ')}): out-of-fold accuracy ${(100 * r.confusion.accuracy).toFixed(2)} % over ${r.nAtoms} atoms in ${r.nFrames} structures, ${r.folds.length} folds (structure-wise)`);
        printConfusion(r.classes, r.confusion);
        for (const f of r.folds) console.log(`  fold ${f.fold.padEnd(4)} train ${String(f.nTrainAtoms).padStart(7)} atoms  test ${String(f.nTestAtoms).padStart(6)} atoms  accuracy ${(100 * f.accuracy).toFixed(2)} %`);
        const wrong = r.frame.truth.filter((c, a) => c !== r.frame.predicted[a]).length;
        if (str(options, 'frame') !== undefined) console.log(`  frame ${frameIndex}: ${r.frame.truth.length - wrong}/${r.frame.truth.length} atoms right; predicted: ${out.frame.predicted.join(' ')}`);
      }
      return 0;
    }
    const t = classTarget(frames, key);
    if ('error' in t) return fail(`${basename(data)}: ${t.error}`);
    const r = runClassifierStudy(frames, { representation: repId as never, target: t, folds, l2, onProgress });
    if (tty) process.stderr.write('\n');
    const out = {
      file: data,
      kind: 'per-structure',
      target: key,
      representation: r.representation,
      feature_dimension: r.dimension,
      n: r.n,
      excluded: r.excluded,
      fold_key: foldKey ?? null,
      ...confusionJson(r.classes, r.confusion),
      folds: r.folds.map((f) => ({ fold: f.fold, n_train: f.nTrain, n_test: f.nTest, accuracy: f.accuracy })),
      predictions: Array.from(r.predicted, (c) => (c >= 0 ? r.classes[c] : null)),
      time_s: (performance.now() - t0) / 1000,
    };
    if (options.json) console.log(JSON.stringify(out));
    else {
      console.log(`classes "${key}" (${r.classes.join(', ')}) from ${r.representation}: out-of-fold accuracy ${(100 * r.confusion.accuracy).toFixed(2)} % over ${r.n} structures${r.excluded ? ` (${r.excluded} without class or fold excluded)` : ''}, ${r.folds.length} folds`);
      printConfusion(r.classes, r.confusion);
      for (const f of r.folds) console.log(`  fold ${f.fold.padEnd(4)} n_train ${String(f.nTrain).padStart(6)}  n_test ${String(f.nTest).padStart(5)}  accuracy ${(100 * f.accuracy).toFixed(2)} %`);
    }
    return 0;
  } catch (e) {
    if (tty) process.stderr.write('\n');
    return fail(`${basename(data)}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
