// Training settings and data checked before any work starts (issue 9): the host API (train.start),
// the CLI (`atomforge train`) and through them the UI refuse absurd values with one message that
// says what is wrong and what is allowed, instead of starting a worker that fails (or silently
// trains nothing) minutes later. Pure: the callers turn the problems into their own error type.
import type { Frame } from '../../atoms/frame';
import { modelTypes } from '../models/registry';

/** Largest accepted number of epochs (a corrupt or mistyped value, not a long run). */
export const MAX_EPOCHS = 1e6;
/** Learning rates are refused outside (0, MAX_LR). */
export const MAX_LR = 10;

export interface TrainSettingsToCheck {
  modelType: string;
  modelConfig?: unknown;
  /** Partial TrainConfig as given by the user (JSON): values may be of any type. */
  train?: Record<string, unknown>;
}

const show = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v));
const isNum = (v: unknown): v is number => typeof v === 'number';

/** What is wrong with the settings (empty when nothing). */
export function trainSettingsProblems(s: TrainSettingsToCheck): string[] {
  const out: string[] = [];
  const types = modelTypes();
  const type = types.find((t) => t.name === s.modelType);
  if (!type) out.push(`unknown model type "${s.modelType}"; known: ${types.map((t) => t.name).join(', ')}`);
  else {
    try {
      type.parseConfig(s.modelConfig ?? {});
    } catch (e) {
      out.push(`model settings: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const t = s.train ?? {};
  if (t.maxEpochs !== undefined && !(isNum(t.maxEpochs) && Number.isInteger(t.maxEpochs) && t.maxEpochs >= 1 && t.maxEpochs <= MAX_EPOCHS)) {
    out.push(`epochs must be an integer between 1 and 1e6, got ${show(t.maxEpochs)}`);
  }
  const opt = t.optimizer as Record<string, unknown> | undefined;
  if (opt !== undefined && (typeof opt !== 'object' || opt === null)) out.push(`optimizer must be an object, got ${show(opt)}`);
  const lr = opt?.lr;
  if (lr !== undefined && !(isNum(lr) && Number.isFinite(lr) && lr > 0 && lr < MAX_LR)) {
    out.push(`learning rate must be a finite number in (0, ${MAX_LR}), got ${isNum(lr) ? lr : show(lr)}`);
  }
  for (const k of ['batchAtoms', 'evalBatchAtoms'] as const) {
    const v = t[k];
    if (v !== undefined && !(isNum(v) && Number.isInteger(v) && v >= 1 && v <= 1e8)) out.push(`${k} must be an integer between 1 and 1e8, got ${show(v)}`);
  }
  const loss = t.loss as Record<string, unknown> | undefined;
  if (loss && typeof loss === 'object') {
    for (const [k, v] of Object.entries(loss)) if (!(isNum(v) && Number.isFinite(v) && v >= 0)) out.push(`loss weight ${k} must be a finite number >= 0, got ${show(v)}`);
  }
  if (t.emaDecay !== undefined && !(isNum(t.emaDecay) && t.emaDecay >= 0 && t.emaDecay < 1)) out.push(`emaDecay must be in [0, 1), got ${show(t.emaDecay)}`);
  const stages = (t as { lossStages?: unknown }).lossStages;
  if (stages !== undefined) {
    if (!Array.isArray(stages)) out.push(`lossStages must be a list like [{"startEpoch": 800, "loss": {"energy": 100, "forces": 1, "stress": 0.05}, "lrFactor": 0.1}], got ${show(stages)}`);
    else
      stages.forEach((st: Record<string, unknown> | null, k) => {
        const at = `lossStages[${k}]`;
        if (!st || typeof st !== 'object') return void out.push(`${at} must be an object with startEpoch and loss`);
        if (!(isNum(st.startEpoch) && Number.isInteger(st.startEpoch) && st.startEpoch >= 1 && st.startEpoch <= MAX_EPOCHS)) out.push(`${at}.startEpoch must be an integer between 1 and 1e6, got ${show(st.startEpoch)}`);
        const l = st.loss as Record<string, unknown> | undefined;
        if (!l || typeof l !== 'object') out.push(`${at}.loss must be {"energy": .., "forces": .., "stress": ..}, got ${show(l)}`);
        else
          for (const term of ['energy', 'forces', 'stress']) {
            const v = l[term];
            if (!(isNum(v) && Number.isFinite(v) && v >= 0)) out.push(`${at}.loss.${term} must be a finite number >= 0, got ${show(v)}`);
          }
        if (st.lrFactor !== undefined && !(isNum(st.lrFactor) && st.lrFactor > 0 && st.lrFactor <= 10)) out.push(`${at}.lrFactor must be in (0, 10], got ${show(st.lrFactor)}`);
        const prev = k > 0 ? (stages[k - 1] as { startEpoch?: unknown } | null)?.startEpoch : undefined;
        if (isNum(prev) && isNum(st.startEpoch) && st.startEpoch <= prev) out.push(`${at}.startEpoch must come after the previous stage's (${prev}), got ${st.startEpoch}`);
      });
  }
  const lp = (t as { lossPath?: unknown }).lossPath;
  if (lp !== undefined && !['auto', 'fused', 'graph'].includes(lp as string)) out.push(`lossPath must be "auto", "fused" or "graph", got ${show(lp)}`);
  return out;
}

/** What is wrong with a training dataset (empty when nothing): no frames, no atoms, no labels. */
export function trainDataProblems(frames: readonly Frame[], name = 'the dataset'): string[] {
  if (frames.length === 0) return [`${name} is empty: it holds no frames to train on`];
  const empty = frames.findIndex((f) => f.symbols.length === 0);
  if (empty >= 0) return [`${name}: frame ${empty} has no atoms; remove it before training`];
  const labelled = frames.some((f) => f.energyEv !== undefined || f.forcesEvPerA !== undefined || f.stressEvPerA3 !== undefined);
  if (!labelled) return [`${name} has no energy, force or stress labels on any of its ${frames.length} frames (were the labels stored under another key? see the label keys in the dataset summary)`];
  return [];
}
