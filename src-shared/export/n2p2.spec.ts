// n2p2 export checked by an independent reader: scripts/n2p2_reference.py (numpy) reads the written
// input.nn, scaling.data and weights.ZZZ.data the way n2p2 does (element and symmetry-function
// sorting, scaling, weight order, activations) and evaluates energies and finite-difference forces
// on perturbed periodic cells; they must equal our float64 model evaluation (behlerParrinelloF64,
// linearF64 + E0). A control swaps two input rows of a weights file and must be caught.
// Skips with a message when /usr/bin/python3 with numpy is absent.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AtomicSystem } from '../calculators/calculator';
import { buildFrameGraph } from '../ml/data/graph';
import { speciesIndices, speciesTable } from '../ml/data/species';
import { behlerParrinelloF64, statisticsOf } from '../ml/models/behlerParrinello';
import { linearF64 } from '../ml/models/linear';
import { MODEL_FORMAT, MODEL_VERSION, type SavedModel } from '../ml/models/serialization';
import { defaultSymmetryFunctions, featureLayout, graphSpecOf, type SymmetryFunctionConfig } from '../ml/models/symmetryFunctions';
import { createRng } from '../space/rng';
import { symbolOf } from '../atoms/elements';
import { exportN2p2, N2p2ExportError } from './n2p2';
import { defaultPowerSpectrum } from '../ml/models/powerSpectrum';
import { perturbedFcc } from './testing';

const PY = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../scripts/n2p2_reference.py', import.meta.url));
const probe = spawnSync(PY, ['-c', 'import numpy'], { encoding: 'utf8' });
const noPython = probe.status === 0 ? null : `${PY} with numpy not available (${probe.error?.message ?? probe.stderr.trim()})`;
if (noPython) console.warn(`n2p2.spec: reference-reader checks skipped: ${noPython}`);

const SPECIES = ['O', 'Si'];
const structures: AtomicSystem[] = [
  perturbedFcc({ latticeA: 4.3, repeat: 2, elements: SPECIES, rattleA: 0.15, tilt: [0.1, -0.05, 0.08], seed: 11 }),
  perturbedFcc({ latticeA: 4.0, repeat: 2, elements: SPECIES, rattleA: 0.2, tilt: [-0.1, 0.1, 0.0], seed: 12 }),
  perturbedFcc({ latticeA: 4.6, repeat: 2, elements: SPECIES, rattleA: 0.1, tilt: [0, 0, 0.12], seed: 13 }),
];

/** A saved model with random weights and feature statistics from `structures`. */
function makeSaved(type: 'bpnn' | 'linear', sf: SymmetryFunctionConfig, extra: Record<string, unknown>, seed: number): SavedModel {
  const rng = createRng(seed);
  const table = speciesTable(SPECIES);
  const S = SPECIES.length, F = featureLayout(sf, S).nFeatures;
  const spec = graphSpecOf(sf);
  const stats = statisticsOf(sf, S, structures.map((s) => ({ graph: buildFrameGraph(s, spec), species: speciesIndices(table, s.numbers) })));
  const hidden = (extra.hidden as number[] | undefined) ?? [];
  const sizes = [F, ...hidden, 1];
  const rnd = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * rng.normal());
  const weights = table.symbols.flatMap((sym) =>
    type === 'linear'
      ? [{ name: `${sym}/linear/kernel`, shape: [F, 1], data: rnd(F, 0.3) }, { name: `${sym}/linear/bias`, shape: [1], data: rnd(1, 0.5) }]
      : sizes.slice(1).flatMap((n, l) => [
          { name: `${sym}/dense${l}/kernel`, shape: [sizes[l], n], data: rnd(sizes[l] * n, 1 / Math.sqrt(sizes[l])) },
          { name: `${sym}/dense${l}/bias`, shape: [n], data: rnd(n, 0.3) },
        ]),
  );
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, type, config: { symmetryFunctions: sf, ...extra }, species: [...table.symbols],
    e0: { method: 'least_squares', valuesEv: [-4.25, -7.5] },
    scales: { energyEvPerAtom: 0.37, forceEvPerA: 1, stressEvPerA3: 0.01, energyMeanEvPerAtom: -0.21 },
    weights, buffers: [{ name: 'feature_mean', shape: [S, F], data: stats.mean }, { name: 'feature_std', shape: [S, F], data: stats.std }], metadata: {},
  };
}

/** Our float64 per-atom energies (E0 included) or, for linear models, the total in [0]. */
function ours(saved: SavedModel, sys: AtomicSystem): { energy: number; energies: Float64Array | null } {
  const sf = (saved.config as { symmetryFunctions: SymmetryFunctionConfig }).symmetryFunctions;
  const species = speciesIndices(speciesTable(saved.species), sys.numbers);
  const graph = buildFrameGraph(sys, graphSpecOf(sf));
  const e0 = (s: number) => saved.e0.valuesEv[s];
  if (saved.type === 'linear') {
    const m = linearF64(saved);
    let e = m.energy(m.inputs(graph, species), species);
    for (const s of species) e += e0(s);
    return { energy: e, energies: null };
  }
  const m = behlerParrinelloF64(saved);
  const r = m.energy(m.inputs(graph, species), species);
  const energies = r.atomicEnergiesEv.map((x, i) => x + e0(species[i]));
  return { energy: energies.reduce((a, b) => a + b, 0), energies };
}

const H = 1e-4;
function oursForces(saved: SavedModel, sys: AtomicSystem, atoms: number[]): Float64Array {
  const f = new Float64Array(sys.positionsA.length);
  const p = sys.positionsA;
  for (const k of atoms.flatMap((a) => [3 * a, 3 * a + 1, 3 * a + 2])) {
    const x = p[k];
    p[k] = x + H;
    const ep = ours(saved, sys).energy;
    p[k] = x - H;
    const em = ours(saved, sys).energy;
    p[k] = x;
    f[k] = -(ep - em) / (2 * H);
  }
  return f;
}

interface PyResult { energy: number; energies: number[]; forces: number[][] | null }

function runReference(files: Record<string, string>, systems: AtomicSystem[], forceAtoms: number[] | null): PyResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'atomforge-n2p2-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const doc = systems.map((s) => ({
      symbols: Array.from(s.numbers, (z) => symbolOf(z)),
      positions: Array.from({ length: s.numbers.length }, (_, a) => Array.from(s.positionsA.subarray(3 * a, 3 * a + 3))),
      cell: [0, 1, 2].map((r) => Array.from(s.cellA!.subarray(3 * r, 3 * r + 3))),
    }));
    writeFileSync(join(dir, 'structures.json'), JSON.stringify(doc));
    const r = spawnSync(PY, [SCRIPT, dir, join(dir, 'structures.json'), ...(forceAtoms ? ['--forces', '--h', String(H), '--atoms', forceAtoms.join(',')] : [])], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`n2p2_reference.py failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as PyResult[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rel = (a: number, b: number, scale: number) => Math.abs(a - b) / scale;

const G4 = defaultSymmetryFunctions({ cutoffA: 4.5, nRadial: 5, nAngularEta: 3, zeta: [1, 2, 4], rLowerA: 1.0 });
const G5: SymmetryFunctionConfig = {
  cutoffA: 4.8,
  // out of n2p2's order on purpose (rs descending, η mixed): the export must permute
  radial: [{ etaPerA2: 2.0, rsA: 3.5 }, { etaPerA2: 0.5, rsA: 2.0 }, { etaPerA2: 2.0, rsA: 1.5 }, { etaPerA2: 0, rsA: 0 }, { etaPerA2: 1.0, rsA: 2.5 }],
  angular: { kind: 'G5', cutoffA: 4.0, etaPerA2: [0.2, 0.01, 0.05], zeta: [4, 1], lambda: [1, -1] },
};

const CASES = [
  { name: 'bpnn tanh, G2 + G4 (narrow, n2p2 type 3)', saved: () => makeSaved('bpnn', G4, { hidden: [8, 6], activation: 'tanh' }, 1) },
  { name: 'bpnn shifted softplus, G2 + G5 (wide, type 9), shuffled radial order', saved: () => makeSaved('bpnn', G5, { hidden: [7], activation: 'shifted_softplus' }, 2) },
  { name: 'bpnn sigmoid, G5', saved: () => makeSaved('bpnn', G5, { hidden: [5, 5], activation: 'sigmoid' }, 3) },
  { name: 'bpnn without hidden layers (one identity neuron added), G5', saved: () => makeSaved('bpnn', G5, { hidden: [], activation: 'tanh' }, 8) },
  { name: 'linear model, G4', saved: () => makeSaved('linear', G4, { ridge: 1e-6 }, 4) },
];

const measured: Record<string, Record<string, number>> = {};

describe.skipIf(noPython !== null)('n2p2 export vs the independent reader (scripts/n2p2_reference.py)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: energies within 1e-11, per-atom energies within 1e-11', (name, c) => {
    const saved = c.saved();
    const out = exportN2p2(saved, { source: name });
    const ref = runReference(out.files, structures, null);
    let worstE = 0, worstAtom = 0;
    structures.forEach((sys, k) => {
      const o = ours(saved, sys);
      const scale = ref[k].energies.reduce((s, e) => s + Math.abs(e), 0);
      worstE = Math.max(worstE, rel(o.energy, ref[k].energy, scale));
      if (o.energies) {
        const rms = Math.sqrt(ref[k].energies.reduce((s, e) => s + e * e, 0) / ref[k].energies.length);
        o.energies.forEach((e, i) => (worstAtom = Math.max(worstAtom, rel(e, ref[k].energies[i], rms))));
      }
    });
    measured[name] = { energy: worstE, atomEnergies: worstAtom };
    console.log(`${name}: n2p2 reader vs Atomforge, worst relative deviation`, measured[name]);
    expect(worstE).toBeLessThan(1e-11);
    expect(worstAtom).toBeLessThan(1e-11);
  });

  it('forces (central differences, h = 1e-4 Å, both sides, one O and one Si atom) agree within 1e-7 of the RMS force', () => {
    const saved = CASES[0].saved();
    const sys = structures[1];
    const atoms = [sys.numbers.indexOf(8), sys.numbers.lastIndexOf(14)];
    const ref = runReference(exportN2p2(saved).files, [sys], atoms)[0];
    const fAll = oursForces(saved, sys, atoms);
    const flat = atoms.flatMap((a) => ref.forces![a]);
    const f = atoms.flatMap((a) => [fAll[3 * a], fAll[3 * a + 1], fAll[3 * a + 2]]);
    const rms = Math.sqrt(flat.reduce((s, x) => s + x * x, 0) / flat.length);
    const worst = Math.max(...flat.map((x, k) => Math.abs(x - f[k]))) / rms;
    console.log(`forces: worst |ΔF| / RMS(F) = ${worst} (RMS ${rms} eV/Å)`);
    expect(rms).toBeGreaterThan(0.01);
    expect(worst).toBeLessThan(1e-7);
  });

  it('control: two input rows swapped in a weights file are caught', () => {
    const saved = CASES[0].saved();
    const out = exportN2p2(saved);
    const name = 'weights.014.data';
    const lines = out.files[name].split('\n');
    const nOut = 8; // first hidden layer width
    const rowA = lines.slice(1, 1 + nOut), rowB = lines.slice(1 + 5 * nOut, 1 + 6 * nOut);
    lines.splice(1, nOut, ...rowB);
    lines.splice(1 + 5 * nOut, nOut, ...rowA);
    const ref = runReference({ ...out.files, [name]: lines.join('\n') }, [structures[0]], null)[0];
    const o = ours(saved, structures[0]);
    expect(Math.abs(o.energy - ref.energy)).toBeGreaterThan(1e-6);
  });
});

describe('n2p2 export refuses what n2p2 cannot express', () => {
  it('PaiNN (message passing) is refused with the reason', () => {
    const saved = { ...makeSaved('bpnn', G4, { hidden: [4], activation: 'tanh' }, 5), type: 'painn' };
    expect(() => exportN2p2(saved)).toThrow(N2p2ExportError);
    expect(() => exportN2p2(saved)).toThrow(/PaiNN passes messages/);
  });
  it('SiLU networks are refused, naming the activations n2p2 has', () => {
    const saved = makeSaved('bpnn', G4, { hidden: [4], activation: 'silu' }, 6);
    expect(() => exportN2p2(saved)).toThrow(/activation "silu" has no n2p2 equivalent/);
  });
  it('a power spectrum (SOAP-like descriptors) is refused with the reason', () => {
    const saved = makeSaved('linear', { ...G4, powerSpectrum: defaultPowerSpectrum({ cutoffA: 4.5, nMax: 2, lMax: 2 }) }, {}, 8);
    expect(() => exportN2p2(saved)).toThrow(/power spectrum .* n2p2 has no symmetry function for/);
  });
  it('writes one weights file per element named by atomic number, and a LAMMPS input with units', () => {
    const out = exportN2p2(makeSaved('bpnn', G4, { hidden: [4], activation: 'tanh' }, 7));
    expect(Object.keys(out.files).sort()).toEqual(['input.nn', 'scaling.data', 'weights.008.data', 'weights.014.data']);
    const inp = out.lammpsInput({ dir: 'nnp' });
    expect(inp).toMatch(/^units metal$/m);
    expect(inp).toMatch(/^pair_style hdnnp 4\.5 dir nnp\/ .*cflength 1\.0 cfenergy 1\.0$/m);
    expect(inp).toMatch(/^pair_coeff \* \* O Si$/m);
    expect(out.notes.join(' ')).toMatch(/extrapolation warnings/);
  });
});

