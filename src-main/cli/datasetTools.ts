// CLI commands for datasets (issue 8): `dataset ACTION IN OUT` (merge, filter, dedupe, split,
// subsample; the core is src-shared/dataset) and `export FORMAT IN OUT` (deepmd, n2p2, n2p2-bohr or
// any writable registry format). The argument parser (args.ts) takes a fixed number of positionals
// and no sub-commands, so the action is the first positional; merge takes its inputs as one
// comma-separated IN, split takes an output PREFIX as OUT. Inputs are any registry format or a
// DeePMD system folder. Progress and notes on stderr; `--json` prints one object, units in keys.
import { promises as fsp } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import type { Frame } from '../../src-shared/atoms/frame';
import { summarize } from '../../src-shared/atoms/summary';
import { findDuplicates } from '../../src-shared/dataset/dedupe';
import { datasetDescriptors } from '../../src-shared/dataset/descriptor';
import { filterFrames, type FrameFilter } from '../../src-shared/dataset/filter';
import { mergeDatasets } from '../../src-shared/dataset/merge';
import { splitByFraction, splitByGroup } from '../../src-shared/dataset/split';
import { farthestPointSampling } from '../../src-shared/dataset/subsample';
import { createRng } from '../../src-shared/space/rng';
import type { FormatSpec } from '../../src-shared/io/format';
import { formatByName, formatForWriting, FORMATS } from '../../src-shared/io/registry';
import { isDeepmdPath, readDeepmdPath, writeDeepmdPath } from '../node/deepmd';
import type { OptionSpec } from './args';
import { UsageError } from './args';
import { load, readOptions, writeAtomic, type Command, optString as str } from './common';

const ACTIONS = ['merge', 'filter', 'dedupe', 'split', 'subsample'] as const;
type Action = (typeof ACTIONS)[number];

/** Options each action accepts (besides the common ones). */
const ACTION_OPTIONS: Record<Action, string[]> = {
  merge: ['tag-key'],
  filter: ['group', 'exclude-group', 'element', 'only-elements', 'exclude-elements', 'e-min-ev-per-atom', 'e-max-ev-per-atom', 'f-min-ev-per-a', 'f-max-ev-per-a', 'drop-unlabelled'],
  dedupe: ['tol-a', 'cell-tol-a'],
  split: ['train', 'valid', 'test', 'seed', 'by-group', 'group-key'],
  subsample: ['n', 'method', 'seed', 'cutoff-a', 'bins'],
};

const s = (name: string, help: string, valueName = 'VALUE'): OptionSpec => ({ name, type: 'string', help, valueName });
const b = (name: string, help: string): OptionSpec => ({ name, type: 'boolean', help });

const commonOptions: OptionSpec[] = [
  s('to', `output format (default: from the OUT extension; .xyz = extended XYZ): ${FORMATS.filter((f) => f.write).map((f) => f.name).join(', ')}`, 'FORMAT'),
  b('json', 'print one JSON summary object'),
  ...readOptions,
];

function num(o: Record<string, string | boolean>, k: string): number | undefined {
  const v = str(o, k);
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new UsageError(`--${k} must be a number, got "${v}"`);
  return x;
}

function list(o: Record<string, string | boolean>, k: string): string[] | undefined {
  return str(o, k)
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Frames of a file (any registry format) or of a DeePMD system folder; null after printing why. */
export async function loadFramesAny(path: string, options: Record<string, string | boolean>): Promise<Frame[] | null> {
  if (await isDeepmdPath(path)) {
    const r = await readDeepmdPath(path, { species: list(options, 'species') });
    if ('error' in r) {
      console.error(`atomforge: ${r.error}`);
      return null;
    }
    console.error(`read ${r.frames.length} frame(s) from DeePMD system(s) ${r.systems.join(', ')}`);
    return r.frames;
  }
  const d = await load(path, options);
  return d ? d.frames : null;
}

function outputFormat(path: string, options: Record<string, string | boolean>): FormatSpec {
  const f = formatForWriting(path, str(options, 'to'));
  if ('error' in f) throw new UsageError(f.error);
  return f;
}

async function writeFrames(path: string, frames: Frame[], fmt: FormatSpec): Promise<void> {
  if (!fmt.multiFrame && frames.length > 1) throw new Error(`${fmt.title} holds one structure, not ${frames.length}`);
  await fsp.mkdir(dirname(path), { recursive: true });
  await writeAtomic(path, fmt.write!(frames, { fileName: basename(path) }));
}

function labelCounts(frames: Frame[]) {
  const sm = summarize(frames);
  return { frames: sm.frames, atoms: sm.atomsTotal, with_energy: sm.labelFrames.energy, with_forces: sm.labelFrames.forces, with_stress: sm.labelFrames.stress };
}

async function runDataset(action: Action, input: string, output: string, o: Record<string, string | boolean>): Promise<number> {
  const allowed = new Set([...ACTION_OPTIONS[action], 'to', 'json', ...readOptions.map((x) => x.name)]);
  for (const k of Object.keys(o)) if (!allowed.has(k)) throw new UsageError(`dataset ${action} does not take --${k} (it takes ${ACTION_OPTIONS[action].map((x) => '--' + x).join(' ') || 'no options of its own'})`);
  const report: Record<string, unknown> = { action };

  if (action === 'merge') {
    const inputs = input.split(',').filter(Boolean);
    if (inputs.length < 2) throw new UsageError('dataset merge: give two or more inputs as IN, separated by commas: A.xyz,B.xyz');
    const fmt = outputFormat(output, o);
    const sources = [];
    for (const p of inputs) {
      const frames = await loadFramesAny(p, o);
      if (!frames) return 1;
      sources.push({ name: basename(p), frames });
    }
    const tag = str(o, 'tag-key');
    const { frames, report: per } = mergeDatasets(sources, { tagKey: tag === 'none' ? null : tag });
    await writeFrames(output, frames, fmt);
    Object.assign(report, { inputs, output, sources: per.map((r) => ({ name: r.name, frames: r.frames, with_energy: r.withEnergy, with_forces: r.withForces, with_stress: r.withStress })), out: labelCounts(frames) });
    console.error(`merged ${frames.length} frame(s) from ${inputs.length} inputs into ${output}`);
  } else {
    const frames = await loadFramesAny(input, o);
    if (!frames) return 1;
    report.input = input;
    report.in = labelCounts(frames);
    if (action === 'filter') {
      const range = (lo: string, hi: string) => (num(o, lo) !== undefined || num(o, hi) !== undefined ? { min: num(o, lo), max: num(o, hi) } : undefined);
      const filter: FrameFilter = {
        groups: list(o, 'group'),
        excludeGroups: list(o, 'exclude-group'),
        requireElements: list(o, 'element'),
        onlyElements: list(o, 'only-elements'),
        excludeElements: list(o, 'exclude-elements'),
        energyPerAtomEv: range('e-min-ev-per-atom', 'e-max-ev-per-atom'),
        maxForceEvPerA: range('f-min-ev-per-a', 'f-max-ev-per-a'),
        dropUnlabelled: o['drop-unlabelled'] === true,
      };
      const fmt = outputFormat(output, o);
      const r = filterFrames(frames, filter);
      const kept = r.kept.map((i) => frames[i]);
      await writeFrames(output, kept, fmt);
      Object.assign(report, { output, out: labelCounts(kept), removed: r.removed, kept_unlabelled: r.keptUnlabelled });
      console.error(`kept ${kept.length} of ${frames.length} frame(s)${Object.keys(r.removed).length ? '; removed: ' + Object.entries(r.removed).map(([k, v]) => `${v} ${k}`).join(', ') : ''}${r.keptUnlabelled ? `; ${r.keptUnlabelled} kept without the label a range needs (--drop-unlabelled drops them)` : ''}`);
    } else if (action === 'dedupe') {
      const fmt = outputFormat(output, o);
      const r = findDuplicates(frames, { positionTolA: num(o, 'tol-a'), cellTolA: num(o, 'cell-tol-a') });
      const kept = r.kept.map((i) => frames[i]);
      await writeFrames(output, kept, fmt);
      const pairs = Array.from(r.duplicateOf).flatMap((k, i) => (k >= 0 ? [[i, k]] : []));
      Object.assign(report, { output, out: labelCounts(kept), duplicates: pairs.length, duplicate_of: Object.fromEntries(pairs.slice(0, 1000)), label_conflicts: r.labelConflicts });
      console.error(`removed ${pairs.length} duplicate(s), kept ${kept.length}${r.labelConflicts ? `; ${r.labelConflicts} duplicate(s) had a different energy than the copy kept` : ''}`);
    } else if (action === 'split') {
      const train = num(o, 'train') ?? 0.8;
      const valid = num(o, 'valid') ?? 0.1;
      const test = num(o, 'test');
      const seed = num(o, 'seed') ?? 0;
      const groupKey = str(o, 'group-key');
      const byGroup = o['by-group'] === true || groupKey !== undefined;
      const fractions = { train, valid, test };
      let parts;
      try {
        if (byGroup) {
          const key = groupKey ?? 'config_type';
          const groups = frames.map((f) => {
            const v = f.info[key] ?? (key === 'config_type' ? (f.info.config_name ?? f.info.group) : undefined);
            return v === undefined ? null : String(v);
          });
          parts = splitByGroup(groups, fractions, seed);
          report.groups = parts.groups;
          if (groups.every((g) => g === null)) console.error(`note: no frame has info "${key}": every frame is its own group`);
        } else parts = splitByFraction(frames.length, fractions, seed);
      } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
      }
      const ext = str(o, 'to') ? '' : extname(output) || '.xyz';
      const stem = extname(output) ? output.slice(0, -extname(output).length) : output;
      const files: Record<string, string> = {};
      for (const name of ['train', 'valid', 'test'] as const) {
        const idx = parts[name];
        if (idx.length === 0) continue;
        const path = `${stem}.${name}${ext}`;
        await writeFrames(path, idx.map((i) => frames[i]), outputFormat(path, o));
        files[name] = path;
      }
      Object.assign(report, { seed, by_group: byGroup, files, frames_per_split: { train: parts.train.length, valid: parts.valid.length, test: parts.test.length } });
      console.error(`split ${frames.length} frame(s): train ${parts.train.length}, valid ${parts.valid.length}, test ${parts.test.length} -> ${Object.values(files).join(', ')}`);
    } else if (action === 'subsample') {
      const n = num(o, 'n');
      if (n === undefined || !(n >= 1) || !Number.isInteger(n)) throw new UsageError('dataset subsample needs --n N (a positive integer)');
      const method = str(o, 'method') ?? 'fps';
      const fmt = outputFormat(output, o);
      let selected: number[];
      if (method === 'fps') {
        if (process.stderr.isTTY) process.stderr.write(`computing descriptors of ${frames.length} frame(s)...\n`);
        const { space, vectors } = datasetDescriptors(frames, { cutoffA: num(o, 'cutoff-a'), bins: num(o, 'bins') });
        const r = farthestPointSampling(vectors, n, { seed: num(o, 'seed') });
        selected = r.selected;
        report.descriptor = { kind: 'per-element-pair radial histograms + composition', elements: space.elements, cutoff_a: space.cutoffA, bins: space.bins };
        report.last_min_distance = r.minDistances[r.minDistances.length - 1] ?? null;
      } else if (method === 'random') {
        const rng = createRng(num(o, 'seed') ?? 0);
        const idx = Array.from({ length: frames.length }, (_, i) => i);
        for (let i = idx.length - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          [idx[i], idx[j]] = [idx[j], idx[i]];
        }
        selected = idx.slice(0, Math.min(n, frames.length));
      } else throw new UsageError(`--method must be fps or random, got "${method}"`);
      const kept = [...selected].sort((x, y) => x - y).map((i) => frames[i]);
      await writeFrames(output, kept, fmt);
      Object.assign(report, { output, method, selected_in_order: selected, out: labelCounts(kept) });
      console.error(`selected ${kept.length} of ${frames.length} frame(s) by ${method} -> ${output}`);
    }
  }
  if (o.json) console.log(JSON.stringify(report));
  return 0;
}

const dataset: Command = {
  spec: {
    name: 'dataset',
    summary: 'dataset tools: merge, filter, dedupe, split, subsample (ACTION IN OUT)',
    positionals: [
      { name: 'ACTION', help: 'merge | filter | dedupe | split | subsample' },
      { name: 'IN', help: 'input file or DeePMD folder (merge: A,B,... comma-separated)' },
      { name: 'OUT', help: 'output file (split: prefix; writes PREFIX.train.xyz, PREFIX.valid.xyz, PREFIX.test.xyz)' },
    ],
    options: [
      s('tag-key', 'merge: info key naming each frame\'s source file (default "source"; "none" to skip)', 'KEY'),
      s('group', 'filter: keep these config_type groups', 'G,..'),
      s('exclude-group', 'filter: drop these config_type groups', 'G,..'),
      s('element', 'filter: keep frames containing all of these elements', 'X,..'),
      s('only-elements', 'filter: keep frames made of these elements only', 'X,..'),
      s('exclude-elements', 'filter: drop frames containing any of these', 'X,..'),
      s('e-min-ev-per-atom', 'filter: lowest energy per atom, eV', 'EV'),
      s('e-max-ev-per-atom', 'filter: highest energy per atom, eV', 'EV'),
      s('f-min-ev-per-a', 'filter: lowest largest-atomic-force, eV/Å', 'EV_PER_A'),
      s('f-max-ev-per-a', 'filter: highest largest-atomic-force, eV/Å (drop outliers)', 'EV_PER_A'),
      b('drop-unlabelled', 'filter: drop frames without the energy/forces a range needs (default: keep)'),
      s('tol-a', 'dedupe: per-atom position tolerance, Å (default 0.001)', 'A'),
      s('cell-tol-a', 'dedupe: cell entry tolerance, Å (default 0.001)', 'A'),
      s('train', 'split: training fraction (default 0.8)', 'F'),
      s('valid', 'split: validation fraction (default 0.1)', 'F'),
      s('test', 'split: test fraction (default: the rest)', 'F'),
      s('seed', 'split / subsample: random seed (default 0)', 'S'),
      b('by-group', 'split: keep each config_type group on one side'),
      s('group-key', 'split: info key that defines the groups (implies --by-group)', 'KEY'),
      s('n', 'subsample: number of frames to keep', 'N'),
      s('method', 'subsample: fps (farthest-point in descriptor space, default) or random', 'M'),
      s('cutoff-a', 'subsample: descriptor pair cutoff, Å (default 5)', 'A'),
      s('bins', 'subsample: descriptor histogram bins per element pair (default 20)', 'N'),
      ...commonOptions,
    ],
  },
  async run({ positionals: [action, input, output], options }) {
    if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`dataset: unknown action "${action}"; use one of ${ACTIONS.join(', ')}`);
    try {
      return await runDataset(action as Action, input, output, options);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      console.error(`atomforge: dataset ${action}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
  },
};

const exportCommand: Command = {
  spec: {
    name: 'export',
    summary: 'export a dataset for training codes: deepmd (npy folder), n2p2 / n2p2-bohr (input.data), extxyz, ...',
    positionals: [
      { name: 'FORMAT', help: 'deepmd | n2p2 (Å, eV) | n2p2-bohr (Bohr, Hartree) | any writable format' },
      { name: 'IN', help: 'input file or DeePMD folder' },
      { name: 'OUT', help: 'output folder (deepmd) or file' },
    ],
    options: [
      s('set-size', 'deepmd: frames per set.NNN folder (default 5000)', 'N'),
      s('type-map', 'deepmd: element order of the types (default: sorted symbols)', 'A,B,..'),
      b('json', 'print one JSON summary object'),
      ...readOptions,
    ],
  },
  async run({ positionals: [format, input, output], options }) {
    const frames = await loadFramesAny(input, options);
    if (!frames) return 1;
    try {
      if (format === 'deepmd') {
        const out = await writeDeepmdPath(output, frames, { setSize: num(options, 'set-size'), typeMap: list(options, 'type-map') });
        for (const n of out.notes) console.error(`note: ${n}`);
        const sm = labelCounts(frames);
        console.error(`wrote ${frames.length} frame(s) as ${out.systems.length} DeePMD system(s) under ${output}; type_map ${JSON.stringify(out.typeMap)} (units: Å, eV, eV/Å; virial eV)`);
        if (options.json) console.log(JSON.stringify({ format, input, output, type_map: out.typeMap, systems: out.systems.map((x) => ({ dir: x.dir, frames: x.frames })), in: sm, notes: out.notes }));
        return 0;
      }
      const fmt = formatByName(format);
      if (!fmt || !fmt.write) throw new UsageError(`export: unknown or read-only format "${format}"; use deepmd or one of ${FORMATS.filter((f) => f.write).map((f) => f.name).join(', ')}`);
      await writeFrames(output, frames, fmt);
      const lost = [!fmt.carries.stress && frames.some((f) => f.stressEvPerA3) ? 'stresses' : '', !fmt.carries.energy && frames.some((f) => f.energyEv !== undefined) ? 'energies' : ''].filter(Boolean);
      if (lost.length) console.error(`note: ${fmt.title} cannot hold ${lost.join(', ')}; they were not written`);
      console.error(`wrote ${frames.length} frame(s) to ${output} (${fmt.name})`);
      if (options.json) console.log(JSON.stringify({ format: fmt.name, input, output, in: labelCounts(frames), not_written: lost }));
      return 0;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      console.error(`atomforge: export ${format}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
  },
};

export const DATASET_COMMANDS: Command[] = [dataset, exportCommand];
