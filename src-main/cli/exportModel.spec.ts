// CLI `export-model` (issue 8): the folder it writes for a setfl EAM, a pair spec and a trained
// model run folder (n2p2 files with Gmin/Gmax from --data), and its refusals.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from './args';
import { runCli } from '../../test-support/cliRun';
import { EXPORT_MODEL_COMMANDS } from './exportModel';
import { saveModelFiles } from '../ml/runFolder';
import { createEamFromText } from '../../src-shared/potentials/eam';
import { MODEL_FORMAT, MODEL_VERSION, type SavedModel } from '../../src-shared/ml/models/serialization';
import { defaultSymmetryFunctions, featureLayout } from '../../src-shared/ml/models/symmetryFunctions';
import { agreement, perturbedFcc } from '../../src-shared/export/testing';
import { calculatorFromSpec } from '../../src-shared/potentials/registry';
import { lammpsUnavailable, runLammps } from '../../test-support/lammpsRun';

const POT = fileURLToPath(new URL('../../fixtures/potentials/', import.meta.url));
const DFT = fileURLToPath(new URL('../../fixtures/io/dft/', import.meta.url));

const run = (argv: string[]) => runCli(EXPORT_MODEL_COMMANDS[0], argv);

afterEach(() => vi.restoreAllMocks());

function siModel(type: string, el = 'Si'): SavedModel {
  const sf = defaultSymmetryFunctions({ cutoffA: 4.0, nRadial: 4, nAngularEta: 2, zeta: [1, 4] });
  const F = featureLayout(sf, 1).nFeatures;
  const w = (n: number) => Float32Array.from({ length: n }, (_, k) => Math.sin(k + 1) * 0.3);
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, type, config: { symmetryFunctions: sf, hidden: [3], activation: 'tanh' }, species: [el],
    e0: { method: 'least_squares', valuesEv: [-5.4] }, scales: { energyEvPerAtom: 0.2, forceEvPerA: 1, stressEvPerA3: 0.01, energyMeanEvPerAtom: 0.1 },
    weights: [
      { name: `${el}/dense0/kernel`, shape: [F, 3], data: w(3 * F) }, { name: `${el}/dense0/bias`, shape: [3], data: w(3) },
      { name: `${el}/dense1/kernel`, shape: [3, 1], data: w(3) }, { name: `${el}/dense1/bias`, shape: [1], data: w(1) },
    ],
    buffers: [{ name: 'feature_mean', shape: [1, F], data: new Float64Array(F).fill(0.5) }, { name: 'feature_std', shape: [1, F], data: new Float64Array(F).fill(2) }],
    metadata: {},
  };
}

describe('atomforge export-model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'export-model-'));

  it('eam:FILE.eam.alloy -> setfl + in.lammps; the written file gives the original numbers', async () => {
    const out = join(dir, 'eam');
    const r = await run([out, '--potential', `eam:${POT}CuNi.eam.alloy`, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ kind: 'eam/alloy', elements: ['Ni', 'Cu'] }); // the file's order
    const text = readFileSync(join(out, 'CuNi.eam.alloy'), 'utf8');
    expect(readFileSync(join(out, 'in.lammps'), 'utf8')).toMatch(/^pair_coeff \* \* CuNi\.eam\.alloy Ni Cu$/m);
    const sys = perturbedFcc({ latticeA: 3.6, repeat: 2, elements: ['Cu', 'Ni'], rattleA: 0.1, seed: 9 });
    const a = createEamFromText(readFileSync(POT + 'CuNi.eam.alloy', 'utf8'), 'CuNi.eam.alloy').compute(sys, { forces: true });
    const b = createEamFromText(text, 'x.eam.alloy').compute(sys, { forces: true });
    expect(b.energyEv).toBe(a.energyEv);
    expect(Array.from(b.forcesEvPerA!)).toEqual(Array.from(a.forcesEvPerA!));
  });

  it('a pair spec -> pair_style table lines for every element pair', async () => {
    const out = join(dir, 'morse');
    const r = await run([out, '--potential', 'morse:d0=0.3429,alpha=1.3588,r0=2.866,cutoff=6;Cu-Ni:cutoff=5.5', '--elements', 'Cu,Ni', '--points', '200', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ kind: 'table', elements: ['Cu', 'Ni'], points: 200, cutoff_a: 6 });
    const inp = readFileSync(join(out, 'in.lammps'), 'utf8');
    expect(inp).toMatch(/^pair_style table spline 200$/m);
    expect(inp.match(/^pair_coeff /gm)).toHaveLength(3);
    expect(inp).toMatch(/^pair_coeff 1 2 atomforge\.table Cu_Ni 5\.5$/m); // the pair's own cutoff
    expect(inp).toMatch(/^pair_coeff 2 2 atomforge\.table Ni_Ni 6$/m);
    expect(readFileSync(join(out, 'atomforge.table'), 'utf8')).toMatch(/^Cu_Ni\nN 200 RSQ /m);
  });

  it('--model RUNDIR (bpnn) -> n2p2 files with Gmin/Gmax from --data', async () => {
    const runDir = join(dir, 'run');
    (await import('node:fs')).mkdirSync(runDir);
    saveModelFiles(runDir, siModel('bpnn'));
    const out = join(dir, 'nnp');
    const r = await run([out, '--model', runDir, '--data', `${DFT}cp2k/si8_md.out`, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ kind: 'hdnnp', elements: ['Si'], cutoff_a: 4, notes: [] });
    for (const f of ['input.nn', 'scaling.data', 'weights.014.data', 'in.lammps']) expect(existsSync(join(out, f)), f).toBe(true);
    const rows = readFileSync(join(out, 'scaling.data'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/).map(Number));
    expect(rows.length).toBeGreaterThan(5);
    for (const [, , lo, hi] of rows) {
      expect(Number.isFinite(lo) && Number.isFinite(hi) && Math.abs(lo) < 1e6).toBe(true);
      expect(lo).toBeLessThanOrEqual(hi);
    }
    expect(readFileSync(join(out, 'in.lammps'), 'utf8')).toMatch(/^pair_style hdnnp 4 dir \.\/ /m);
  });

  it('a Δ-model (LJ baseline + bpnn) -> table + nnp/ joined by hybrid/overlay; the baseline lines reproduce the baseline in LAMMPS', async () => {
    const runDir = join(dir, 'delta');
    (await import('node:fs')).mkdirSync(runDir);
    const baseline = 'lj:epsilon=0.02,sigma=2.2,cutoff=5.0,shift=true';
    saveModelFiles(runDir, { ...siModel('bpnn'), metadata: { baseline: { kind: 'potential', spec: baseline } } });
    const out = join(dir, 'delta-out');
    const r = await run([out, '--model', runDir, '--points', '4000', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ kind: 'hybrid/overlay table + hdnnp', elements: ['Si'], cutoff_a: 5 });
    for (const f of ['atomforge.table', 'nnp/input.nn', 'nnp/scaling.data', 'nnp/weights.014.data']) expect(existsSync(join(out, f)), f).toBe(true);
    const input = readFileSync(join(out, 'in.lammps'), 'utf8');
    expect(input).toMatch(/^pair_style hybrid\/overlay table spline 4000 hdnnp 4 dir nnp\/ .*cfenergy 1\.0$/m);
    expect(input).toMatch(/^pair_coeff 1 1 table atomforge\.table Si_Si 5$/m);
    expect(input).toMatch(/^pair_coeff \* \* hdnnp Si$/m);
    if (lammpsUnavailable()) return console.warn('export-model spec: LAMMPS part skipped:', lammpsUnavailable());
    // Debian's lmp has no hdnnp: stand in pair_style zero for it and check the baseline half
    const lines = input.split('\n').filter((l) => l.startsWith('pair_')).map((l) => l.replace(/ hdnnp .*$/, ' zero 4.0').replace(/^pair_coeff \* \* zero.*$/, 'pair_coeff * * zero'));
    const sys = perturbedFcc({ latticeA: 4.1, repeat: 2, elements: ['Si'], rattleA: 0.1, tilt: [0.05, 0, 0.05], seed: 3 });
    const lmp = runLammps(sys, ['Si'], lines, { 'atomforge.table': readFileSync(join(out, 'atomforge.table'), 'utf8') });
    const built = calculatorFromSpec(baseline);
    if ('error' in built) throw new Error(built.error);
    const ref = built.calculator.compute(sys, { forces: true, stress: true, energies: true });
    const a = agreement(lmp, ref);
    expect(a.energy).toBeLessThan(1e-8);
    expect(a.forces).toBeLessThan(1e-6);
  });

  it('a Δ-model on an EAM baseline (file embedded in the model) -> eam/alloy + hdnnp overlay; the EAM half matches in LAMMPS', async () => {
    const runDir = join(dir, 'delta-eam');
    (await import('node:fs')).mkdirSync(runDir);
    const fileText = readFileSync(POT + 'Cu_u3.eam', 'utf8');
    saveModelFiles(runDir, { ...siModel('bpnn', 'Cu'), metadata: { baseline: { kind: 'potential', spec: 'eam:/elsewhere/Cu_u3.eam', fileText } } });
    const out = join(dir, 'delta-eam-out');
    const r = await run([out, '--model', runDir, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ kind: 'hybrid/overlay eam/alloy + hdnnp', elements: ['Cu'] });
    const input = readFileSync(join(out, 'in.lammps'), 'utf8');
    expect(input).toMatch(/^pair_style hybrid\/overlay eam\/alloy hdnnp 4 dir nnp\/ /m);
    expect(input).toMatch(/^pair_coeff \* \* eam\/alloy Cu_u3\.eam\.alloy Cu$/m);
    if (lammpsUnavailable()) return console.warn('export-model spec: LAMMPS part skipped:', lammpsUnavailable());
    const lines = input.split('\n').filter((l) => l.startsWith('pair_')).map((l) => l.replace(/ hdnnp .*$/, ' zero 4.0').replace(/^pair_coeff \* \* zero.*$/, 'pair_coeff * * zero'));
    const sys = perturbedFcc({ latticeA: 3.615, repeat: 3, elements: ['Cu'], rattleA: 0.1, tilt: [0.05, 0, 0.05], seed: 4 });
    const lmp = runLammps(sys, ['Cu'], lines, { 'Cu_u3.eam.alloy': readFileSync(join(out, 'Cu_u3.eam.alloy'), 'utf8') });
    const ref = createEamFromText(fileText, 'Cu_u3.eam').compute(sys, { forces: true, stress: true, energies: true });
    const a = agreement(lmp, ref);
    expect(a.energy).toBeLessThan(1e-10);
    expect(a.forces).toBeLessThan(1e-10);
  });

  it('refuses a Δ-model on a data baseline (no baseline for new structures)', async () => {
    const runDir = join(dir, 'delta-data');
    (await import('node:fs')).mkdirSync(runDir);
    saveModelFiles(runDir, { ...siModel('bpnn'), metadata: { baseline: { kind: 'data', energyKey: 'energy_xtb' } } });
    await expect(run([join(dir, 'z'), '--model', runDir])).rejects.toThrow(/baseline stored in the data \(data keys energy_xtb\)/);
  });

  it('refuses a PaiNN model with the reason, and a pair spec without elements', async () => {
    const runDir = join(dir, 'painn');
    (await import('node:fs')).mkdirSync(runDir);
    saveModelFiles(runDir, siModel('painn'));
    const r = await run([join(dir, 'x'), '--model', runDir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/PaiNN passes messages between atoms/);
    await expect(run([join(dir, 'y'), '--potential', 'zbl'])).rejects.toThrow(UsageError);
  });
});
