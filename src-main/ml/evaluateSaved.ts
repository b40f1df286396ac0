// Errors of a saved model on labelled frames (energy per atom, force components, stress), with
// Δ-models handled: the correction is scored on reference minus baseline, which is the error of
// baseline + correction.
import type { Frame } from '../../src-shared/atoms/frame';
import { subtractBaseline } from '../../src-shared/ml/data/delta';
import type { SavedModel } from '../../src-shared/ml/models/serialization';
import { dataForModel, evaluateModel } from '../../src-shared/ml/train/evaluate';
import type { Metrics } from '../../src-shared/ml/train/loss';
import { baselineCalculator } from './baseline';
import { baselineOf, modelFromSaved } from './modelFiles';

export async function evaluateSaved(saved: SavedModel, frames: readonly Frame[]): Promise<Metrics> {
  const model = await modelFromSaved(saved);
  try {
    const base = baselineOf(saved);
    const fr = base ? subtractBaseline(frames, base, baselineCalculator(base) ?? undefined).frames : frames;
    const { data, graphs } = dataForModel(model, fr);
    return evaluateModel(model, data, graphs, data.split.train).metrics;
  } finally {
    model.dispose();
  }
}
