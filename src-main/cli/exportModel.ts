// CLI `export-model`: a classical potential or a trained model -> files LAMMPS reads, plus an
// example input (in.lammps) in the output folder.
//   --potential lj|morse|zbl:...  -> atomforge.table (pair_style table spline N)
//   --potential eam:FILE          -> NAME.eam.alloy (pair_style eam/alloy; funcfl files converted)
//   --potential sw:FILE           -> the file itself (LAMMPS runs pair_style sw natively)
//   --model RUNDIR (bpnn, linear) -> input.nn, scaling.data, weights.ZZZ.data (pair_style hdnnp);
//     a Δ-model on a potential baseline -> the baseline's files + nnp/ with the correction,
//     summed by pair_style hybrid/overlay
// The writers are pure (src-shared/export); this file reads inputs and writes the folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { atomicNumber, symbolOf } from '../../src-shared/atoms/elements';
import { exportPairTable, pairCutoffsFromSpec } from '../../src-shared/export/lammpsPairTable';
import { exportSetfl } from '../../src-shared/export/lammpsSetfl';
import { exampleLammpsInput } from '../../src-shared/export/lammpsInput';
import { hybridOverlay } from '../../src-shared/export/lammpsHybrid';
import { describeBaseline, type BaselineSpec } from '../../src-shared/ml/data/delta';
import { exportN2p2, N2p2ExportError } from '../../src-shared/export/n2p2';
import { buildFrameGraph } from '../../src-shared/ml/data/graph';
import { speciesIndices, speciesTable } from '../../src-shared/ml/data/species';
import { parseBehlerParrinelloConfig } from '../../src-shared/ml/models/behlerParrinello';
import { parseLinearConfig } from '../../src-shared/ml/models/linear';
import { descriptorsF64, featureLayout, graphSpecOf, type SymmetryFunctionConfig } from '../../src-shared/ml/models/symmetryFunctions';
import type { SavedModel } from '../../src-shared/ml/models/serialization';
import { parseEamFile } from '../../src-shared/potentials/eamFile';
import { calculatorFromSpec, parsePotentialSpec } from '../../src-shared/potentials/registry';
import { RESOURCES_DIR } from '../node/paths';
import { resolvePotential } from '../node/potentialFiles';
import { loadModelFiles } from '../ml/runFolder';
import { UsageError } from './args';
import { load, optString as str, readOptions, type Command } from './common';

interface Written {
  kind: string;
  files: string[];
  /** The pair_style / pair_coeff lines that load the files. */
  pairLines: string[];
  elements: string[];
  cutoffA: number;
  notes: string[];
  extra: Record<string, unknown>;
}

function elementsOption(o: Record<string, string | boolean>): string[] | undefined {
  const v = str(o, 'elements');
  if (v === undefined) return undefined;
  const els = v.split(',').map((x) => x.trim()).filter(Boolean);
  for (const e of els) if (atomicNumber(e) < 1) throw new UsageError(`export-model: --elements: "${e}" is not an element symbol`);
  return els.map((e) => symbolOf(atomicNumber(e)));
}

function numberOption(o: Record<string, string | boolean>, k: string, what: string): number | undefined {
  const v = str(o, k);
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new UsageError(`export-model: --${k} must be ${what}, got "${v}"`);
  return x;
}

function writeAll(dir: string, files: Record<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return Object.keys(files).map((n) => join(dir, n));
}

/**
 * Write a classical potential's LAMMPS files into `dir`. `typeElements` fixes the LAMMPS types
 * (Δ-model baselines: the model's species); else --elements or what the spec names.
 */
function exportPotential(spec: string, dir: string, o: Record<string, string | boolean>, embedded?: { fileText?: string; typeElements?: string[] }): Written {
  const r = resolvePotential({ spec, fileText: embedded?.fileText }, { bundledDir: join(RESOURCES_DIR, 'potentials'), allowPath: () => true });
  if ('error' in r) throw new UsageError(`export-model: ${r.error}`);
  const parsed = parsePotentialSpec(r.spec);
  if ('error' in parsed) throw new UsageError(`export-model: ${parsed.error}`);
  const given = embedded?.typeElements ?? elementsOption(o);
  if (parsed.kind === 'eam') {
    const name = basename(parsed.path!).replace(/\.(eam\.alloy|alloy|setfl|eam)$/i, '');
    const out = exportSetfl(parseEamFile(r.fileText!, parsed.path!), basename(parsed.path!));
    const types = given ?? out.elements;
    const file = `${name}.eam.alloy`;
    let pairLines: string[];
    try {
      pairLines = out.pairLines(file, types);
    } catch (e) {
      throw new UsageError(`export-model: ${(e as Error).message}`);
    }
    const files = { [file]: out.text, 'in.lammps': exampleLammpsInput({ elements: types, pairLines, title: `EAM ${basename(parsed.path!)} as eam/alloy` }) };
    return { kind: 'eam/alloy', files: writeAll(dir, files), pairLines, elements: types, cutoffA: out.cutoffA, notes: out.notes, extra: { rho_max: out.rhoMax } };
  }
  if (parsed.kind === 'sw') {
    if (!given) throw new UsageError('export-model: sw: give --elements A,B,.. (the LAMMPS atom types, in order)');
    const file = basename(parsed.path!);
    const pairLines = ['pair_style sw', `pair_coeff * * ${file} ${given.join(' ')}`];
    const files = { [file]: r.fileText!, 'in.lammps': exampleLammpsInput({ elements: given, pairLines, title: `Stillinger-Weber ${file}` }) };
    return { kind: 'sw', files: writeAll(dir, files), pairLines, elements: given, cutoffA: NaN, notes: ['LAMMPS reads *.sw files natively: the file is copied unchanged'], extra: {} };
  }
  const built = calculatorFromSpec(r.spec, r.fileText);
  if ('error' in built) throw new UsageError(`export-model: ${built.error}`);
  const named = [...new Set((parsed.pairs ?? []).flatMap((p) => p.elements.map((e) => symbolOf(atomicNumber(e)))))];
  const elements = given ?? (named.length ? named : undefined);
  if (!elements) throw new UsageError(`export-model: ${parsed.kind}: give --elements A,B,.. (the LAMMPS atom types, in order)`);
  const table = exportPairTable(built.calculator, {
    elements, points: numberOption(o, 'points', 'an integer'), innerA: numberOption(o, 'inner', 'a distance in Å'), source: spec,
    cutoffOf: pairCutoffsFromSpec(parsed),
  });
  const files = { [table.fileName]: table.text, 'in.lammps': exampleLammpsInput({ elements, pairLines: table.pairLines, title: `${spec} as pair_style table` }) };
  return {
    kind: 'table', files: writeAll(dir, files), pairLines: table.pairLines, elements, cutoffA: table.cutoffA,
    notes: [`tabulated with ${table.points} points per pair from ${table.innerA} Å (LAMMPS stops if two atoms come closer) to ${table.cutoffA} Å, evenly in r²`],
    extra: { points: table.points, inner_a: table.innerA },
  };
}

function symmetryConfig(saved: SavedModel): SymmetryFunctionConfig | null {
  if (saved.type === 'bpnn') return parseBehlerParrinelloConfig(saved.config).symmetryFunctions;
  if (saved.type === 'linear') return parseLinearConfig(saved.config).symmetryFunctions;
  return null;
}

async function exportModel(runDir: string, dir: string, o: Record<string, string | boolean>): Promise<Written> {
  const saved = loadModelFiles(runDir);
  let featureRange: { min: Float64Array; max: Float64Array } | undefined;
  const data = str(o, 'data');
  const sf = symmetryConfig(saved);
  if (data !== undefined && sf) {
    const d = await load(data, o);
    if (!d) throw new UsageError(`export-model: could not read --data ${data}`);
    const table = speciesTable(saved.species);
    const S = saved.species.length, F = featureLayout(sf, S).nFeatures;
    const min = new Float64Array(S * F).fill(Infinity), max = new Float64Array(S * F).fill(-Infinity);
    for (const f of d.frames) {
      for (const z of f.numbers) if (!table.numbers.includes(z)) throw new UsageError(`export-model: --data ${data} holds ${symbolOf(z)}, which the model (${saved.species.join(', ')}) does not know`);
      const species = speciesIndices(table, f.numbers);
      const G = descriptorsF64(sf, buildFrameGraph(f, graphSpecOf(sf)), species, S).values;
      for (let i = 0; i < species.length; i++) for (let k = 0; k < F; k++) {
        const q = species[i] * F + k;
        min[q] = Math.min(min[q], G[i * F + k]);
        max[q] = Math.max(max[q], G[i * F + k]);
      }
    }
    for (let q = 0; q < min.length; q++) if (!Number.isFinite(min[q])) { min[q] = -1e300; max[q] = 1e300; }
    featureRange = { min, max };
  }
  const out = exportN2p2(saved, { featureRange, source: runDir });
  const baseline = saved.metadata?.baseline as BaselineSpec | undefined;
  if (!baseline) {
    const files = { ...out.files, 'in.lammps': out.lammpsInput({ dir: '.' }) };
    return { kind: 'hdnnp', files: writeAll(dir, files), pairLines: out.pairLines('.'), elements: out.elements, cutoffA: out.cutoffA, notes: out.notes, extra: { model_type: saved.type } };
  }
  if (baseline.kind !== 'potential') {
    throw new UsageError(`export-model: ${runDir} is a Δ-model on a baseline stored in the data (${describeBaseline(baseline)}); LAMMPS has no such baseline for new structures. Train with a potential baseline (--baseline SPEC) to export.`);
  }
  // Δ-model: baseline files in dir, the correction's n2p2 files in dir/nnp, summed by hybrid/overlay
  const base = exportPotential(baseline.spec, dir, o, { fileText: baseline.fileText, typeElements: out.elements });
  const nnpFiles = writeAll(join(dir, 'nnp'), out.files);
  const pairLines = hybridOverlay([base.pairLines, out.pairLines('nnp')]);
  const input = exampleLammpsInput({ elements: out.elements, pairLines, title: `Δ-model ${runDir}: baseline ${baseline.spec.split(':')[0]} + ${saved.type} correction (hybrid/overlay)` });
  writeFileSync(join(dir, 'in.lammps'), input);
  return {
    kind: `hybrid/overlay ${base.kind} + hdnnp`, files: [...base.files, ...nnpFiles], pairLines, elements: out.elements, cutoffA: Math.max(out.cutoffA, base.cutoffA || 0),
    notes: [`Δ-model: baseline ${describeBaseline(baseline)} exported as ${base.kind}, correction as n2p2 files in nnp/`, ...base.notes, ...out.notes], extra: { model_type: saved.type, baseline: baseline.spec },
  };
}

const exportModelCommand: Command = {
  spec: {
    name: 'export-model',
    summary: 'write a potential or trained model as LAMMPS files (pair_style table, eam/alloy, sw, hdnnp) with an example in.lammps',
    positionals: [{ name: 'OUTDIR', help: 'folder for the files (created)' }],
    options: [
      { name: 'potential', type: 'string', valueName: 'SPEC', help: 'lj/morse/zbl:... -> pair_style table; eam:FILE -> eam/alloy setfl; sw:FILE -> pair_style sw' },
      { name: 'model', type: 'string', valueName: 'RUNDIR', help: 'a trained bpnn or linear model -> n2p2 files for pair_style hdnnp' },
      { name: 'elements', type: 'string', valueName: 'A,B,..', help: 'LAMMPS atom types 1..n (pair tables, sw; default: the elements the spec names)' },
      { name: 'points', type: 'string', valueName: 'N', help: 'pair table: points per pair (default 20000)' },
      { name: 'inner', type: 'string', valueName: 'Å', help: 'pair table: inner bound (default: where a pair energy first exceeds 1000 eV)' },
      { name: 'data', type: 'string', valueName: 'FILE', help: 'hdnnp: training structures whose descriptor range becomes Gmin/Gmax (n2p2 extrapolation warnings)' },
      { name: 'json', type: 'boolean', help: 'print one JSON summary object' },
      ...readOptions,
    ],
  },
  async run({ positionals: [outDir], options }) {
    const potential = str(options, 'potential'), model = str(options, 'model');
    if ((potential === undefined) === (model === undefined)) throw new UsageError('export-model: give exactly one of --potential SPEC or --model RUNDIR');
    let w: Written;
    try {
      w = model !== undefined ? await exportModel(model, outDir, options) : exportPotential(potential!, outDir, options);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      console.error(`atomforge export-model: ${e instanceof N2p2ExportError ? '' : 'error: '}${msg}`);
      return 1;
    }
    for (const n of w.notes) console.error(`note: ${n}`);
    console.error(`wrote ${w.files.length} file(s) to ${outDir} (${w.kind}; elements ${w.elements.join(', ')}; units metal: Å, eV)`);
    if (options.json) {
      console.log(JSON.stringify({ kind: w.kind, out_dir: outDir, files: w.files, elements: w.elements, cutoff_a: Number.isFinite(w.cutoffA) ? w.cutoffA : null, notes: w.notes, ...w.extra }));
    }
    return 0;
  },
};

export const EXPORT_MODEL_COMMANDS: Command[] = [exportModelCommand];
