// Loading a trained model from its run folder as a Calculator (for calc, md, relax, audits).
import { loadModel } from '../../src-shared/ml/models/registry';
import { modelCalculator } from '../../src-shared/ml/models/calculator';
import type { Calculator } from '../../src-shared/calculators/calculator';
import { loadModelFiles } from './runFolder';
import { tfNode } from './tfNode';
import type { SavedModel } from '../../src-shared/ml/models/serialization';
import type { BaselineSpec } from '../../src-shared/ml/data/delta';
import { withBaseline } from './baseline';

export async function modelFromSaved(saved: SavedModel) {
  const { tf } = await tfNode();
  return loadModel(tf, saved);
}

/** The saved model's Δ-learning baseline, if it was trained as a correction. */
export function baselineOf(saved: SavedModel): BaselineSpec | undefined {
  return saved.metadata?.baseline as BaselineSpec | undefined;
}

/** A trained model as a calculator: baseline + correction for Δ-models. */
export async function modelCalculatorFromSaved(saved: SavedModel, name: string): Promise<Calculator> {
  const model = await modelFromSaved(saved);
  return withBaseline(modelCalculator(model, `${saved.type} model (${name})`), baselineOf(saved));
}

export async function modelCalculatorFromDir(runDir: string): Promise<Calculator> {
  return modelCalculatorFromSaved(loadModelFiles(runDir), runDir);
}
