// CLI for uncertainty, domain shift and the loss landscape (issue 6):
//   committee train DATA --model M --k K --out RUNDIR [train options]     K models, seeds base..base+K-1
//   uncertainty score --model RUNDIR DATA [--json]     committee spread and/or descriptor scores,
//                                                       with thresholds calibrated on the run's validation frames
//   shift --model RUNDIR REF.xyz NEW.xyz [--json]      errors and uncertainty, reference vs new data
//   landscape --model RUNDIR DATA [--grid 15] [--json] loss slices around the trained weights
// The argument parser has no sub-commands, so `committee` and `uncertainty` take the action as
// their first positional. Progress goes to stderr; --json prints one object with snake_case keys
// that carry their units (score thresholds are dimensionless: typical per-feature distances in
// training standard deviations). RUNDIR is a training run folder or a committee folder.
import { groupWeightProblems } from '../../src-shared/ml/data/split';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Frame } from '../../src-shared/atoms/frame';
import { formatForWriting } from '../../src-shared/io/registry';
import { modelTypes } from '../../src-shared/ml/models/registry';
import { calibrateCommittee, type CommitteeCalibration } from '../../src-shared/ml/uncertainty/committee';
import { scoreFrames } from '../../src-shared/ml/uncertainty/descriptorRange';
import { domainShiftReport, mapElements, parseElementMap } from '../../src-shared/ml/uncertainty/domainShift';
import { domainModelForRun, loadUncertaintyModel, runCommitteeJob, validationFramesOfRun } from '../ml/committee';
import { runLandscapeJob } from '../ml/landscapeJob';
import type { TrainSettings } from '../ml/trainJob';
import type { OptionSpec } from './args';
import { fail, load, optNumber, optString as str, readOptions, writeAtomic, type Command } from './common';

type Opts = Record<string, string | boolean>;
const num = (o: Opts, k: string, dflt?: number) => optNumber(o, k) ?? dflt;
const log = (m: string) => console.error(m);
const fx = (x: number | null | undefined, d = 4) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));

/** camelCase keys -> snake_case (units stay in the names), typed arrays -> lists, recursively. */
export function snakeKeys(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase(), snakeKeys(x)]));
  return v;
}

async function loadMapped(path: string, o: Opts): Promise<Frame[] | null> {
  const d = await load(path, o);
  if (!d) return null;
  const as = str(o, 'as');
  return as ? mapElements(d.frames, parseElementMap(as)) : d.frames;
}

async function emit(o: Opts, value: unknown, text: () => string[]): Promise<void> {
  const json = JSON.stringify(snakeKeys(value));
  const out = str(o, 'out');
  if (out) await writeAtomic(out, [json, '\n']);
  if (o.json) console.log(json);
  else console.log(text().join('\n'));
}

const modelOption: OptionSpec = { name: 'model', type: 'string', valueName: 'RUNDIR', help: 'a training run folder or a committee folder' };
const asOption: OptionSpec = { name: 'as', type: 'string', valueName: 'Ge=Si,..', help: "rename elements before scoring (another element's structures through this model)" };
const jsonOption: OptionSpec = { name: 'json', type: 'boolean', help: 'print one JSON object' };
const outOption: OptionSpec = { name: 'out', type: 'string', valueName: 'REPORT.json', help: 'also write the JSON report to a file' };

const committee: Command = {
  spec: {
    name: 'committee',
    summary: 'train a committee of K models with different seeds (same split) into one folder',
    positionals: [
      { name: 'KIND', help: 'train' },
      { name: 'DATA', help: 'training data' },
    ],
    options: [
      { name: 'model', type: 'string', valueName: modelTypes().map((t) => t.name).join('|'), help: 'model type' },
      { name: 'k', type: 'string', valueName: 'K', help: 'members (default 4)' },
      { name: 'out', type: 'string', valueName: 'RUNDIR', help: 'committee folder to create (RUNDIR/member-k/, committee.json)' },
      { name: 'valid', type: 'string', valueName: 'VALID.xyz', help: 'validation data (default: a seeded 10% split of DATA, the same for every member)' },
      { name: 'config', type: 'string', valueName: 'cfg.json', help: '{"model": {...}, "train": {...}, "split": {...}, "e0": {...}, "groupWeights": {"weights": {"Surface": 5}}}' },
      { name: 'epochs', type: 'string', valueName: 'N', help: 'maximum epochs per member' },
      { name: 'max-minutes', type: 'string', valueName: 'M', help: 'wall-clock budget per member' },
      { name: 'seed', type: 'string', valueName: 'S', help: 'split seed and base seed: member k trains with seed S+k (default 0)' },
      { name: 'backend', type: 'string', valueName: 'auto|tensorflow|wasm|cpu', help: 'tfjs backend' },
      { name: 'bootstrap', type: 'boolean', help: 'fit each member on a bootstrap resample of the training frames (always for linear)' },
      ...readOptions,
    ],
  },
  async run({ positionals: [kind, data], options: o }) {
    if (kind !== 'train') return fail(`unknown committee action "${kind}"; known: train`);
    const type = str(o, 'model');
    if (!type || !modelTypes().some((t) => t.name === type)) return fail(`--model must be one of ${modelTypes().map((t) => t.name).join(', ')}`);
    const out = str(o, 'out');
    if (!out) return fail('--out RUNDIR is required');
    if (existsSync(resolve(out, 'committee.json'))) return fail(`${out} already holds a committee; choose another --out`);
    let k: number, epochs: number | undefined, maxMinutes: number | undefined, seed: number;
    try {
      k = num(o, 'k', 4)!;
      epochs = num(o, 'epochs');
      maxMinutes = num(o, 'max-minutes');
      seed = num(o, 'seed', 0)!;
    } catch (e) {
      return fail((e as Error).message);
    }
    if (!(Number.isInteger(k) && k >= 2)) return fail(`--k must be an integer >= 2, got ${k}`);
    if (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 1)) return fail(`--epochs must be a positive integer, got ${epochs}`);
    let cfg: Record<string, unknown> = {};
    const cfgPath = str(o, 'config');
    if (cfgPath) {
      try {
        cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
      } catch (e) {
        return fail(`${cfgPath}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const badWeights = groupWeightProblems(cfg.groupWeights);
    if (badWeights.length) return fail(badWeights.join('; '));
    const backend = (str(o, 'backend') ?? (cfg.backend as string | undefined) ?? 'auto') as TrainSettings['backend'];
    if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend!)) return fail(`--backend must be auto, tensorflow, wasm or cpu, got "${backend}"`);
    const d = await load(data, o);
    if (!d) return 1;
    const validPath = str(o, 'valid');
    const v = validPath ? await load(validPath, o) : null;
    if (validPath && !v) return 1;
    const settings: TrainSettings = {
      modelType: type,
      modelConfig: (cfg.model as Record<string, unknown>) ?? {},
      train: { ...((cfg.train as object) ?? {}), ...(epochs !== undefined ? { maxEpochs: epochs } : {}), seed },
      split: (cfg.split as TrainSettings['split']) ?? { method: 'random', validFraction: 0.1, seed },
      e0: cfg.e0 as TrainSettings['e0'],
      maxMinutes: maxMinutes ?? (cfg.maxMinutes as number | undefined),
      backend,
      groupWeights: cfg.groupWeights as TrainSettings['groupWeights'],
    };
    const runDir = resolve(out);
    mkdirSync(runDir, { recursive: true });
    const ac = new AbortController();
    const onSig = () => {
      console.error('\nstopping: the current member saves its checkpoint and best model...');
      ac.abort();
    };
    process.once('SIGINT', onSig);
    const labelKeys = { energy: str(o, 'energy-key'), forces: str(o, 'forces-key'), stress: str(o, 'stress-key') };
    const manifest = await runCommitteeJob(
      {
        runDir,
        k,
        datasetName: basename(data),
        datasetPath: data,
        frames: d.frames,
        validFrames: v?.frames,
        validPath,
        readOptions: { format: str(o, 'format'), species: str(o, 'species')?.split(','), ...(Object.values(labelKeys).some(Boolean) ? { labelKeys } : {}) },
        settings,
        bootstrap: o.bootstrap ? true : undefined,
      },
      {
        log,
        signal: ac.signal,
        onEpoch: (e) => {
          const m = e.valid?.metrics;
          log(`  epoch ${e.epoch + 1}: loss ${e.train.total.toExponential(3)}${m ? ` | valid E MAE ${fx(m.energyMaeMevPerAtom, 2)} meV/atom, F MAE ${fx(m.forceMaeEvPerA)} eV/Å` : ''}`);
        },
        onMember: (i, r) => {
          const m = r.card?.validMetrics ?? r.card?.trainMetrics;
          log(`member ${i}: ${r.state} (${r.reason})${m ? `, energy MAE ${fx(m.energyMaeMevPerAtom, 2)} meV/atom, force MAE ${fx(m.forceMaeEvPerA)} eV/Å` : ''}${r.message ? `: ${r.message}` : ''}`);
        },
      },
    );
    process.removeListener('SIGINT', onSig);
    log(`committee ${manifest.state}: ${manifest.members.filter((m) => m.state === 'finished').length}/${k} members -> ${runDir}`);
    return manifest.state === 'failed' ? 1 : 0;
  },
};

function committeeSummary(c: CommitteeCalibration | null) {
  if (!c) return null;
  return { validFrames: c.frames, validAtoms: c.atoms, forceStdThresholdsEvPerA: c.forceStdThresholdsEvPerA, energyStdThresholdsMevPerAtom: c.energyStdThresholdsMevPerAtom, forceScale: c.forceScale, energyScale: c.energyScale, forceCurve: c.forceCurve };
}

const uncertainty: Command = {
  spec: {
    name: 'uncertainty',
    summary: 'score structures: committee spread and descriptor-distance scores with calibrated thresholds',
    positionals: [
      { name: 'KIND', help: 'score' },
      { name: 'DATA', help: 'structures to score' },
    ],
    options: [
      modelOption,
      jsonOption,
      outOption,
      asOption,
      { name: 'per-atom', type: 'boolean', help: 'include per-atom scores and spreads in the JSON' },
      { name: 'export', type: 'string', valueName: 'UNCERTAIN.xyz', help: 'write the frames with an atom above a p99 threshold (for labelling)' },
      { name: 'rebuild-domain', type: 'boolean', help: 'rebuild RUNDIR/domain.json from the training data' },
      ...readOptions,
    ],
  },
  async run({ positionals: [kind, data], options: o }) {
    if (kind !== 'score') return fail(`unknown uncertainty action "${kind}"; known: score`);
    const dir = str(o, 'model');
    if (!dir) return fail('--model RUNDIR is required');
    let frames: Frame[] | null;
    try {
      frames = await loadMapped(data, o);
    } catch (e) {
      return fail((e as Error).message);
    }
    if (!frames) return 1;
    let m;
    try {
      m = await loadUncertaintyModel(dir);
    } catch (e) {
      return fail(`--model ${dir}: ${(e as Error).message}`);
    }
    try {
      const { domain, reason } = await domainModelForRun(dir, { rebuild: !!o['rebuild-domain'], log, model: m });
      if (reason) log(`note: ${reason}`);
      let cal: CommitteeCalibration | null = null;
      if (m.committee) {
        const valid = await validationFramesOfRun(dir);
        if (valid.length) cal = calibrateCommittee(m.committee, valid);
        else log('note: no validation frames found: committee thresholds are not calibrated');
      }
      const ds = domain ? scoreFrames(domain, frames) : null;
      const fT = cal?.forceStdThresholdsEvPerA;
      const perFrame = frames.map((f, k) => {
        const row: Record<string, unknown> = { index: k, atoms: f.numbers.length };
        if (ds) {
          const s = ds.frames[k];
          Object.assign(row, { scoreMean: s.scoreMean, scoreMax: s.scoreMax, atomsAboveScoreP95: s.atomsAboveP95, atomsAboveScoreP99: s.atomsAboveP99, extrapolationWarnings: s.extrapolationWarnings });
          if (o['per-atom']) row.atomScores = ds.atomScores.subarray(ds.frameOffsets[k], ds.frameOffsets[k + 1]);
        }
        if (m.committee) {
          m.committee.compute(f, { forces: true });
          const u = m.committee.lastUncertainty()!;
          const fs = u.forceStdEvPerA!;
          Object.assign(row, { energyStdMevPerAtom: u.energyStdMevPerAtom, forceStdMaxEvPerA: u.maxForceStdEvPerA, forceStdMeanEvPerA: u.meanForceStdEvPerA });
          if (fT) row.atomsAboveForceStdP99 = Array.from(fs).filter((x) => x > fT.p99).length;
          if (o['per-atom']) row.forceStdEvPerA = Float64Array.from(fs);
        }
        return row;
      });
      const flagged = perFrame.filter((r) => ((r.atomsAboveScoreP99 as number) ?? 0) > 0 || ((r.atomsAboveForceStdP99 as number) ?? 0) > 0).map((r) => r.index as number);
      const atoms = frames.reduce((s, f) => s + f.numbers.length, 0);
      const aboveStd = perFrame.reduce((s, r) => s + ((r.atomsAboveForceStdP99 as number | undefined) ?? 0), 0);
      const report = {
        model: dir,
        data,
        frames: frames.length,
        atoms,
        committeeMembers: m.committee?.size ?? 1,
        descriptor: ds && domain ? { thresholds: domain.calibration?.thresholds ?? null, calibration: domain.calibration, ...ds.summary } : null,
        committee: m.committee ? { calibration: committeeSummary(cal), fractionAtomsAboveForceStdP99: fT && atoms ? aboveStd / atoms : null } : null,
        flaggedFrames: flagged,
        perFrame,
      };
      const exportPath = str(o, 'export');
      if (exportPath) {
        const fmt = formatForWriting(exportPath);
        if ('error' in fmt) return fail(fmt.error);
        await writeAtomic(exportPath, fmt.write!(flagged.map((k) => frames![k]), { fileName: basename(exportPath) }));
        log(`wrote ${flagged.length} uncertain frame(s) to ${exportPath}`);
      }
      await emit(o, report, () => {
        const lines = [`${m.calculator.name} on ${data}: ${frames!.length} frames, ${atoms} atoms`];
        if (ds && domain) {
          const t = domain.calibration?.thresholds;
          lines.push(`descriptor score: median ${fx(ds.summary.scoreMedian, 3)}, max ${fx(ds.summary.scoreMax, 3)}; calibrated p95 ${fx(t?.p95, 3)}, p99 ${fx(t?.p99, 3)} -> ${fx((ds.summary.fractionAboveP95 ?? NaN) * 100, 1)} % / ${fx((ds.summary.fractionAboveP99 ?? NaN) * 100, 1)} % of atoms above`);
          lines.push(`range warnings: ${fx(ds.summary.fractionExtrapolating * 100, 1)} % of atoms have features outside the training range${ds.summary.featuresOutOfRange.length ? ` (most often ${ds.summary.featuresOutOfRange[0].feature})` : ''}`);
          const c = domain.calibration?.forceCurve;
          if (c) lines.push(`validation: force error grows with score (Spearman ${fx(c.spearman, 2)}; mean |ΔF| ${fx(c.errorMean[0], 3)} eV/Å in the lowest bin, ${fx(c.errorMean[c.errorMean.length - 1], 3)} in the highest)`);
        }
        if (cal) lines.push(`committee (${m.committee!.size}): force-spread thresholds p95 ${fx(cal.forceStdThresholdsEvPerA.p95)} / p99 ${fx(cal.forceStdThresholdsEvPerA.p99)} eV/Å; spread x ${fx(cal.forceScale, 2)} ≈ RMS force error on validation`);
        lines.push(`flagged frames (an atom above p99): ${flagged.length ? flagged.slice(0, 30).join(', ') + (flagged.length > 30 ? ', ...' : '') : 'none'}`);
        return lines;
      });
      return 0;
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    } finally {
      m.dispose();
    }
  },
};

const shift: Command = {
  spec: {
    name: 'shift',
    summary: 'domain shift: errors and uncertainty of a model on reference data vs new data, side by side',
    positionals: [
      { name: 'REF', help: 'reference structures (the validation set or held-out data like the training data)' },
      { name: 'NEW', help: 'new structures (another element with --as, liquid frames only, ...)' },
    ],
    options: [modelOption, jsonOption, outOption, asOption, { name: 'bins', type: 'string', valueName: 'N', help: 'histogram bins (default 30)' }, { name: 'rebuild-domain', type: 'boolean', help: 'rebuild RUNDIR/domain.json' }, ...readOptions],
  },
  async run({ positionals: [refPath, newPath], options: o }) {
    const dir = str(o, 'model');
    if (!dir) return fail('--model RUNDIR is required');
    let ref: Frame[] | null, tgt: Frame[] | null, bins: number;
    try {
      ref = await loadMapped(refPath, o);
      tgt = await loadMapped(newPath, o);
      bins = num(o, 'bins', 30)!;
    } catch (e) {
      return fail((e as Error).message);
    }
    if (!ref || !tgt) return 1;
    let m;
    try {
      m = await loadUncertaintyModel(dir);
    } catch (e) {
      return fail(`--model ${dir}: ${(e as Error).message}`);
    }
    try {
      const { domain, reason } = await domainModelForRun(dir, { rebuild: !!o['rebuild-domain'], log, model: m });
      if (reason) log(`note: ${reason}`);
      const r = domainShiftReport({ calculator: m.calculator, reference: { name: 'reference', frames: ref }, target: { name: 'target', frames: tgt }, domain, bins });
      await emit(o, { model: dir, referenceFile: refPath, targetFile: newPath, ...r }, () => {
        const row = (s: typeof r.reference, file: string) =>
          `${file.padEnd(28)} ${String(s.frames).padStart(6)} frames  E MAE ${fx(s.energyMaeMevPerAtom, 2)} meV/atom  F MAE ${fx(s.forceMaeEvPerA)} eV/Å` +
          (s.descriptor ? `  score median ${fx(s.descriptor.scoreMedian, 3)}, >p99 ${fx(s.descriptor.fractionAboveP99Threshold * 100, 1)} %` : '') +
          (s.committee ? `  σF median ${fx(s.committee.forceStdEvPerAMedian)} eV/Å, >p99 ${fx(s.committee.fractionAboveP99Threshold * 100, 1)} %` : '');
        return [
          `domain shift of ${r.calculator} (thresholds from the ${r.thresholds.source} set)`,
          row(r.reference, basename(refPath)),
          row(r.target, basename(newPath)),
          `ratios new/reference: energy MAE ${fx(r.ratios.energyMae, 2)}, force MAE ${fx(r.ratios.forceMae, 2)}, score median ${fx(r.ratios.descriptorScoreMedian, 2)}, committee spread median ${fx(r.ratios.committeeForceStdMedian, 2)}`,
          '(histograms: --json)',
        ];
      });
      return 0;
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    } finally {
      m.dispose();
    }
  },
};

const landscape: Command = {
  spec: {
    name: 'landscape',
    summary: 'loss landscape: 1D/2D slices of the training loss around the trained weights (filter-normalised directions)',
    positionals: [{ name: 'DATA', help: 'labelled frames (a fixed seeded subset is used; the training data)' }],
    options: [
      modelOption,
      jsonOption,
      outOption,
      { name: 'grid', type: 'string', valueName: 'N', help: '2D grid points per axis (default 15)' },
      { name: 'grid1d', type: 'string', valueName: 'N', help: '1D slice points (default 21)' },
      { name: 'span', type: 'string', valueName: 'S', help: 'half-width in direction units (default 1)' },
      { name: 'frames', type: 'string', valueName: 'N', help: 'frames in the fixed subset (default 16)' },
      { name: 'seed', type: 'string', valueName: 'S', help: 'seed of the directions and the subset (default 0)' },
      { name: 'directions', type: 'string', valueName: 'random|pca', help: 'filter-normalised random (default) or the PCA plane of the optimiser path' },
      { name: 'member', type: 'string', valueName: 'K', help: 'committee folders: which member (default 0)' },
      ...readOptions,
    ],
  },
  async run({ positionals: [data], options: o }) {
    const dir = str(o, 'model');
    if (!dir) return fail('--model RUNDIR is required');
    const directions = str(o, 'directions') ?? 'random';
    if (directions !== 'random' && directions !== 'pca') return fail(`--directions must be random or pca, got "${directions}"`);
    const d = await load(data, o);
    if (!d) return 1;
    try {
      const tty = process.stderr.isTTY || process.env.ATOMFORGE_PROGRESS === '1';
      const res = await runLandscapeJob(dir, {
        frames: d.frames,
        grid2d: num(o, 'grid'),
        grid1d: num(o, 'grid1d'),
        span: num(o, 'span'),
        maxFrames: num(o, 'frames'),
        seed: num(o, 'seed'),
        member: num(o, 'member'),
        directions,
        log,
        onProgress: tty ? (k, n) => process.stderr.write(`\rlandscape: ${k}/${n}${k === n ? '\n' : ''}`) : undefined,
      });
      await emit(o, res, () => {
        const s2 = res.slice2d.total.flat();
        const lines = [
          `loss landscape of ${res.runDir} (${res.modelType}, ${res.parameters} parameters) on ${res.frames} frames / ${res.atoms} atoms; weights ${JSON.stringify(res.lossWeights)}`,
          `centre loss ${res.center.total.toExponential(4)} (energy ${res.center.energy.toExponential(3)}, forces ${res.center.forces.toExponential(3)}, stress ${res.center.stress.toExponential(3)}; dimensionless)`,
          `1D slice along d1: ${res.slice1d.axis.map((a, k) => `${a.toFixed(2)}:${res.slice1d.total[k].toExponential(2)}`).join(' ')}`,
          `2D slice ${res.slice2d.alpha.length}x${res.slice2d.beta.length}: min ${Math.min(...s2).toExponential(3)}, max ${Math.max(...s2).toExponential(3)} (${res.directions.kind}, cos(d1,d2) ${res.directions.cosine.toFixed(3)})`,
        ];
        if (res.path) lines.push(`path (${res.pathSource}): ` + res.path.labels.map((l, k) => `${l} (${res.path!.alpha[k].toFixed(2)}, ${res.path!.beta[k].toFixed(2)}; ${(100 * res.path!.residual[k]).toFixed(0)} % off-plane; loss ${res.path!.loss[k].toExponential(2)})`).join(' -> '));
        lines.push('(grids: --json)');
        return lines;
      });
      return 0;
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    }
  },
};

export const UNCERTAINTY_COMMANDS: Command[] = [committee, uncertainty, shift, landscape];
