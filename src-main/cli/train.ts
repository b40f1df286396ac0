// CLI `train` and `eval` (issue 4): train a model on a dataset into a run folder, and evaluate a
// trained model on any dataset. Progress on stderr; `eval --json` prints one object whose keys
// carry their units.
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { modelTypes } from '../../src-shared/ml/models/registry';
import { trainDataProblems, trainSettingsProblems } from '../../src-shared/ml/train/settingsCheck';
import { loadModelFiles, readMetrics, writeRunJson } from '../ml/runFolder';
import { runTrainJob, type TrainSettings } from '../ml/trainJob';
import { groupWeightProblems } from '../../src-shared/ml/data/split';
import { baselineOf } from '../ml/modelFiles';
import { parseBaselineArg } from '../ml/baseline';
import { evaluateCommitteeSaved, evaluateSaved } from '../ml/evaluateSaved';
import { committeeFiles } from '../ml/committeeMd';
import { decodeModel } from '../../src-shared/ml/models/serialization';
import { load, readOptions, type Command, optString as str, fail } from './common';

function int(o: Record<string, string | boolean>, k: string): number | undefined | string {
  const s = str(o, k);
  if (s === undefined) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : `--${k} must be a number, got "${s}"`;
}
/** Read --config cfg.json: { "model": {...}, "train": {...}, "split": {...}, "e0": {...}, "groupWeights": {...} }. */
function readConfig(path: string | undefined): Record<string, unknown> | string {
  if (!path) return {};
  try {
    const v = JSON.parse(readFileSync(path, 'utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) return `${path}: expected a JSON object with optional keys model, train, split, e0`;
    const unknown = Object.keys(v).filter((k) => !['model', 'train', 'split', 'e0', 'backend', 'maxMinutes', 'groupWeights'].includes(k));
    if (unknown.length) return `${path}: unknown key(s) ${unknown.join(', ')} (known: model, train, split, e0, backend, maxMinutes, groupWeights)`;
    return v;
  } catch (e) {
    return `${path}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

const train: Command = {
  spec: {
    name: 'train',
    summary: 'train a machine-learned potential (bpnn, painn, linear) into a run folder',
    positionals: [{ name: 'DATA', help: 'training data (any readable format with energies/forces/stress)' }],
    options: [
      { name: 'model', type: 'string', valueName: modelTypes().map((t) => t.name).join('|'), help: 'model type' },
      { name: 'out', type: 'string', valueName: 'RUNDIR', help: 'run folder to create (config, metrics, checkpoints, model)' },
      { name: 'valid', type: 'string', valueName: 'VALID.xyz', help: 'validation data (default: a seeded 10% split of DATA)' },
      { name: 'config', type: 'string', valueName: 'cfg.json', help: '{"model": {...}, "train": {...}, "split": {...}, "e0": {...}, "groupWeights": {"weights": {"Surface": 5}}}' },
      { name: 'epochs', type: 'string', valueName: 'N', help: 'maximum epochs (default 100)' },
      { name: 'max-minutes', type: 'string', valueName: 'M', help: 'wall-clock budget' },
      { name: 'seed', type: 'string', valueName: 'S', help: 'seed of split, initialisation and batches (default 0)' },
      { name: 'backend', type: 'string', valueName: 'auto|tensorflow|webgpu|wasm|cpu', help: 'tfjs backend (default auto: tensorflow > wasm > cpu; webgpu on request, falling back to auto without a GPU adapter)' },
      { name: 'resume', type: 'boolean', help: 'continue from the checkpoint in RUNDIR' },
      { name: 'baseline', type: 'string', valueName: 'SPEC|data:KEY', help: 'Δ-learning: learn the correction to a potential (SPEC) or to labels in the data (data:energy_baseline)' },
      ...readOptions,
    ],
  },
  async run({ positionals: [data], options }) {
    const type = str(options, 'model');
    if (!type) return fail(`--model is required (${modelTypes().map((t) => t.name).join(', ')})`);
    if (!modelTypes().some((t) => t.name === type)) return fail(`unknown --model "${type}"; known: ${modelTypes().map((t) => t.name).join(', ')}`);
    const out = str(options, 'out');
    if (!out) return fail('--out RUNDIR is required');
    if (existsSync(resolve(out, 'model.json')) && !options.resume) return fail(`${out} already holds a trained model; choose another --out or pass --resume`);
    const cfg = readConfig(str(options, 'config'));
    if (typeof cfg === 'string') return fail(cfg);
    const epochs = int(options, 'epochs');
    const maxMinutes = int(options, 'max-minutes');
    const seed = int(options, 'seed');
    for (const v of [epochs, maxMinutes, seed]) if (typeof v === 'string') return fail(v);
    if (epochs !== undefined && !(Number.isInteger(epochs) && (epochs as number) >= 1)) return fail(`--epochs must be a positive integer, got ${epochs}`);
    if (maxMinutes !== undefined && !((maxMinutes as number) > 0)) return fail(`--max-minutes must be > 0, got ${maxMinutes}`);
    const backend = (str(options, 'backend') ?? (cfg.backend as string | undefined) ?? 'auto') as TrainSettings['backend'];
    if (!['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'].includes(backend!)) return fail(`--backend must be auto, tensorflow, webgpu, wasm or cpu, got "${backend}"`);
    // Absurd settings and untrainable data are refused before any work starts (issue 9).
    const trainCfg = { ...((cfg.train as object) ?? {}), ...(epochs !== undefined ? { maxEpochs: epochs as number } : {}) } as Record<string, unknown>;
    const bad = [...trainSettingsProblems({ modelType: type, modelConfig: (cfg.model as Record<string, unknown>) ?? {}, train: trainCfg }), ...groupWeightProblems(cfg.groupWeights)];
    if (bad.length) return fail(bad.join('; '));
    const d = await load(data, options);
    if (!d) return 1;
    const badData = trainDataProblems(d.frames, basename(data));
    if (badData.length) return fail(badData.join('; '));
    let validFrames;
    const validPath = str(options, 'valid');
    if (validPath) {
      const v = await load(validPath, options);
      if (!v) return 1;
      validFrames = v.frames;
    }
    const s = (seed as number | undefined) ?? 0;
    let baseline;
    const bArg = str(options, 'baseline');
    if (bArg) {
      const b = parseBaselineArg(bArg);
      if ('error' in b) return fail(b.error);
      baseline = b;
    }
    const settings: TrainSettings = {
      modelType: type,
      modelConfig: (cfg.model as Record<string, unknown>) ?? {},
      train: { ...((cfg.train as object) ?? {}), ...(epochs !== undefined ? { maxEpochs: epochs as number } : {}), seed: s },
      split: (cfg.split as TrainSettings['split']) ?? { method: 'random', validFraction: 0.1, seed: s },
      e0: cfg.e0 as TrainSettings['e0'],
      maxMinutes: (maxMinutes as number | undefined) ?? (cfg.maxMinutes as number | undefined),
      backend,
      baseline,
      groupWeights: cfg.groupWeights as TrainSettings['groupWeights'],
    };
    const runDir = resolve(out);
    const runJson = { kind: 'train', id: basename(runDir), label: `${type} on ${basename(data)}`, state: 'running', settings, dataset: resolve(data), valid: validPath ? resolve(validPath) : null, startedAt: new Date().toISOString() };
    const { mkdirSync } = await import('node:fs');
    mkdirSync(runDir, { recursive: true });
    writeRunJson(runDir, runJson);
    const ac = new AbortController();
    const onSig = () => {
      console.error('\nstopping: saving the checkpoint and the best model...');
      ac.abort();
    };
    process.once('SIGINT', onSig);
    process.once('SIGTERM', onSig);
    const result = await runTrainJob(
      { runId: basename(runDir), runDir, label: runJson.label, datasetName: basename(data), frames: d.frames, validFrames, validName: validPath ? basename(validPath) : undefined, settings, resume: !!options.resume },
      {
        log: (m) => console.error(m),
        signal: ac.signal,
        onEpoch: (e) => {
          const v = e.valid?.metrics;
          const eta = e.etaMs !== null && e.etaMs !== undefined ? ` ETA ${Math.ceil(e.etaMs / 1000)} s` : '';
          console.error(
            `epoch ${e.epoch + 1}: loss ${e.train.total.toExponential(3)} (E ${e.train.energy.toExponential(2)} F ${e.train.forces.toExponential(2)} S ${e.train.stress.toExponential(2)})` +
              (v ? ` | valid E MAE ${v.energyMaeMevPerAtom?.toFixed(2) ?? '-'} meV/atom, F MAE ${v.forceMaeEvPerA?.toFixed(4) ?? '-'} eV/Å, S MAE ${v.stressMaeGpa?.toFixed(3) ?? '-'} GPa` : '') +
              ` | lr ${e.lr.toExponential(2)}${eta}`,
          );
        },
      },
    );
    process.removeListener('SIGINT', onSig);
    process.removeListener('SIGTERM', onSig);
    writeRunJson(runDir, { ...runJson, state: result.state, reason: result.reason, message: result.message, card: result.card, finishedAt: new Date().toISOString() });
    if (result.state === 'failed') return fail(result.message ?? 'training failed');
    const m = result.card?.validMetrics ?? result.card?.trainMetrics;
    if (m) console.error(`done (${result.reason}): ${result.card?.validMetrics ? 'validation' : 'training'} energy MAE ${m.energyMaeMevPerAtom?.toFixed(3) ?? '-'} meV/atom, force MAE ${m.forceMaeEvPerA?.toFixed(4) ?? '-'} eV/Å, stress MAE ${m.stressMaeGpa?.toFixed(3) ?? '-'} GPa -> ${runDir}`);
    return 0;
  },
};

const evalCmd: Command = {
  spec: {
    name: 'eval',
    summary: 'evaluate a trained model on a dataset (energy/force/stress errors)',
    positionals: [{ name: 'DATA', help: 'labelled structures' }],
    options: [
      { name: 'model', type: 'string', valueName: 'RUNDIR', help: 'trained model run folder, or a committee folder (scored on the members\' mean, each member\'s errors beside it)' },
      { name: 'json', type: 'boolean', help: 'print one JSON object' },
      ...readOptions,
    ],
  },
  async run({ positionals: [data], options }) {
    const dir = str(options, 'model');
    if (!dir) return fail('--model RUNDIR is required');
    let saved, members;
    try {
      members = committeeFiles(dir)?.map((f) => decodeModel(f.json, f.bin)) ?? null;
      saved = members ? members[0] : loadModelFiles(dir);
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    }
    const d = await load(data, options);
    if (!d) return 1;
    try {
      const c = members ? await evaluateCommitteeSaved(members, d.frames) : null;
      const m = c ? c.mean : await evaluateSaved(saved, d.frames);
      const base = baselineOf(saved);
      const out = {
        model: dir,
        data,
        frames: m.frames,
        atoms: m.atoms,
        energy_mae_mev_per_atom: m.energyMaeMevPerAtom,
        energy_rmse_mev_per_atom: m.energyRmseMevPerAtom,
        force_mae_ev_per_a: m.forceMaeEvPerA,
        force_rmse_ev_per_a: m.forceRmseEvPerA,
        stress_mae_gpa: m.stressMaeGpa,
        stress_rmse_gpa: m.stressRmseGpa,
        baseline: base ? (base.kind === 'potential' ? base.spec : `data:${base.energyKey}`) : null,
        ...(c
          ? {
              committee_members: c.members.length,
              member_energy_mae_mev_per_atom: c.members.map((x) => x.energyMaeMevPerAtom),
              member_force_mae_ev_per_a: c.members.map((x) => x.forceMaeEvPerA),
              member_stress_mae_gpa: c.members.map((x) => x.stressMaeGpa),
            }
          : {}),
      };
      if (options.json) console.log(JSON.stringify(out));
      else console.log(Object.entries(out).map(([k, v]) => `${k}: ${v}`).join('\n'));
      return 0;
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    }
  },
};

export const TRAIN_COMMANDS: Command[] = [train, evalCmd];
export { readMetrics };
