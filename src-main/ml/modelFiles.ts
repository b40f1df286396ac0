// Loading a trained model from its run folder as a Calculator (for calc, md, relax, audits).
import { loadModel } from '../../src-shared/ml/models/registry';
import { modelCalculator } from '../../src-shared/ml/models/calculator';
import type { Calculator } from '../../src-shared/calculators/calculator';
import { loadModelFiles } from './runFolder';
import { tfNode } from './tfNode';
import type { SavedModel } from '../../src-shared/ml/models/serialization';

export async function modelFromSaved(saved: SavedModel) {
  const { tf } = await tfNode();
  return loadModel(tf, saved);
}

export async function modelCalculatorFromSaved(saved: SavedModel, name: string): Promise<Calculator> {
  const model = await modelFromSaved(saved);
  return modelCalculator(model, `${saved.type} model (${name})`);
}

export async function modelCalculatorFromDir(runDir: string): Promise<Calculator> {
  return modelCalculatorFromSaved(loadModelFiles(runDir), runDir);
}
