// Regression error measures (in the target's units) and the confusion matrix of a classifier.

export interface RegressionErrors {
  mae: number;
  rmse: number;
  maxAbs: number;
  /** Coefficient of determination 1 - SS_res/SS_tot (NaN for constant targets). */
  r2: number;
  n: number;
}

/** Errors of predictions against reference values over the given indices (all when omitted). */
export function regressionErrors(reference: ArrayLike<number>, predicted: ArrayLike<number>, indices?: ArrayLike<number>): RegressionErrors {
  const n = indices ? indices.length : reference.length;
  let sa = 0, s2 = 0, mx = 0, mean = 0;
  for (let k = 0; k < n; k++) mean += reference[indices ? indices[k] : k];
  mean /= n || 1;
  let tot = 0;
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k] : k;
    const e = predicted[i] - reference[i];
    sa += Math.abs(e);
    s2 += e * e;
    mx = Math.max(mx, Math.abs(e));
    tot += (reference[i] - mean) ** 2;
  }
  return { mae: n ? sa / n : NaN, rmse: n ? Math.sqrt(s2 / n) : NaN, maxAbs: mx, r2: tot > 0 ? 1 - s2 / tot : NaN, n };
}

export interface ConfusionMatrix {
  /** matrix[true][predicted] counts. */
  matrix: number[][];
  accuracy: number;
  /** Per class: precision (of predictions of this class), recall (of true members), support. */
  perClass: { precision: number; recall: number; support: number }[];
}

/** Confusion matrix of integer labels 0..nClasses-1 (labels < 0 are skipped as missing). */
export function confusionMatrix(trueLabels: ArrayLike<number>, predicted: ArrayLike<number>, nClasses: number): ConfusionMatrix {
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  let ok = 0, total = 0;
  for (let i = 0; i < trueLabels.length; i++) {
    const t = trueLabels[i], p = predicted[i];
    if (t < 0) continue;
    m[t][p]++;
    total++;
    if (t === p) ok++;
  }
  const perClass = m.map((row, c) => {
    const support = row.reduce((a, b) => a + b, 0);
    const predictedC = m.reduce((a, r) => a + r[c], 0);
    return { precision: predictedC ? row[c] / predictedC : NaN, recall: support ? row[c] / support : NaN, support };
  });
  return { matrix: m, accuracy: total ? ok / total : NaN, perClass };
}
