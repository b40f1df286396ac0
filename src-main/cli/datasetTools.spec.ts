// CLI `dataset` and `export` (issue 8): the JSON contract of each action on the DFT fixtures,
// DeePMD folders as input and output (src-main/node/deepmd.ts), and the refusals.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from './args';
import { runCli } from '../../test-support/cliRun';
import { DATASET_COMMANDS } from './datasetTools';
import { isDeepmdPath, readDeepmdAsReadFileResult } from '../node/deepmd';

const DFT = fileURLToPath(new URL('../../fixtures/io/dft/', import.meta.url));

const run = (name: 'dataset' | 'export', argv: string[]) => runCli(DATASET_COMMANDS.find((c) => c.spec.name === name)!, argv);

afterEach(() => vi.restoreAllMocks());

describe('atomforge dataset / export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dataset-'));
  const merged = join(dir, 'merged.xyz');

  it('merge: CP2K output + DeePMD folder + OUTCAR, sources tagged, label counts per source', async () => {
    const r = await run('dataset', ['merge', `${DFT}cp2k/si8_md.out,${DFT}deepmd/si8_f64,${DFT}vasp/OUTCAR`, merged, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.sources.map((s: { frames: number }) => s.frames)).toEqual([3, 3, 2]);
    expect(j.out).toEqual({ frames: 8, atoms: 54, with_energy: 8, with_forces: 8, with_stress: 8 });
    expect(readFileSync(merged, 'utf8')).toMatch(/source=si8_f64/);
  });

  it('dedupe finds the DeePMD copies of the CP2K frames; filter by element and force', async () => {
    let r = await run('dataset', ['dedupe', merged, join(dir, 'dd.xyz'), '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ duplicates: 3, duplicate_of: { 3: 0, 4: 1, 5: 2 }, out: { frames: 5 } });
    r = await run('dataset', ['filter', merged, join(dir, 'f.xyz'), '--element', 'Ca', '--f-max-ev-per-a', '1', '--json']);
    expect(r.code, r.err).toBe(0);
    // The OUTCAR's second step has a 100 eV/Å force component.
    expect(JSON.parse(r.out)).toMatchObject({ out: { frames: 1 }, removed: { 'required element missing': 6, 'max force out of range': 1 } });
  });

  it('split by group keeps each source on one side; subsample by FPS', async () => {
    let r = await run('dataset', ['split', merged, join(dir, 'part'), '--group-key', 'source', '--train', '0.5', '--valid', '0.25', '--seed', '2', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    const sides = [...j.groups.train, ...j.groups.valid, ...j.groups.test].sort();
    expect(sides).toEqual(['OUTCAR', 'si8_f64', 'si8_md.out']);
    expect(existsSync(join(dir, 'part.train.xyz'))).toBe(true);
    r = await run('dataset', ['subsample', merged, join(dir, 'fps.xyz'), '--n', '2', '--json']);
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.selected_in_order).toHaveLength(2);
    // The CaF2 frames and the Si frames are far apart in descriptor space: one of each.
    expect(s.selected_in_order.some((i: number) => i >= 6)).toBe(true);
  });

  it('export deepmd writes one system per composition; it reads back through the dataset commands', async () => {
    const out = join(dir, 'dp');
    let r = await run('export', ['deepmd', merged, out, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ type_map: ['Ca', 'F', 'Si'], systems: [{ dir: 'Si8', frames: 6 }, { dir: 'CaF2', frames: 2 }] });
    expect(readdirSync(join(out, 'Si8')).sort()).toEqual(['set.000', 'type.raw', 'type_map.raw']);
    r = await run('export', ['n2p2', out, join(dir, 'n2p2', 'input.data'), '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ format: 'n2p2', in: { frames: 8 }, not_written: ['stresses'] });
    r = await run('export', ['deepmd', merged, out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not empty/);
  });

  it('refusals: unknown action, option of another action, bad fractions', async () => {
    await expect(run('dataset', ['shuffle', merged, join(dir, 'x.xyz')])).rejects.toThrow(UsageError);
    await expect(run('dataset', ['filter', merged, join(dir, 'x.xyz'), '--n', '3'])).rejects.toThrow(/does not take --n/);
    await expect(run('dataset', ['split', merged, join(dir, 'y'), '--train', '0.9', '--valid', '0.3'])).rejects.toThrow(/fractions/);
    await expect(run('export', ['lammps-dumpish', merged, join(dir, 'z')])).rejects.toThrow(/unknown or read-only format/);
  });

  it('DeePMD folders: found below a parent folder; readFramesFromPath-shaped result for info/convert', async () => {
    expect(await isDeepmdPath(`${DFT}deepmd`)).toBe(true);
    expect(await isDeepmdPath(`${DFT}cp2k`)).toBe(false);
    const r = await readDeepmdAsReadFileResult(`${DFT}deepmd`);
    if ('error' in r) throw new Error(r.error);
    expect(r.format.name).toBe('deepmd');
    expect(r.result.ok && r.result.frameCount).toBe(4); // h2o_f32 (1) then si8_f64 (3), sorted
    expect(r.result.labelKeys.stress).toEqual({ '-virial.npy / V': 3 });
  });
});
