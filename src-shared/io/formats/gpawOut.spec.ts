// GPAW text output reader on real logs of Debian's GPAW 22.8 (fixtures/io/dft/gpaw, made by
// scripts/fixtures/gen_dft.py through ASE): a Si2 plane-wave calculation with stress and an H2
// relaxation (three blocks). Compared with ASE 3.22's read_gpaw_out, and the stress with what the
// calculator returned (ASE 3.22 does not read GPAW's stress from text; GPAW prints 6 decimals).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readText } from '../read';
import { detectFormat } from '../registry';
import { checkFrames, maxAbsDiff, readInChunks, readOrThrow } from './dftTesting';
import { gpawOutFormat } from './gpawOut';

const DIR = fileURLToPath(new URL('../../../fixtures/io/dft/gpaw/', import.meta.url));
const bytes = (name: string) => new Uint8Array(readFileSync(DIR + name));
const text = (name: string) => readFileSync(DIR + name, 'utf8');
const doc = (name: string) => JSON.parse(readFileSync(DIR + name + '.json', 'utf8'));

describe('GPAW text output', () => {
  it('si2_pw.txt: energy, forces, cell as ASE; stress within the printed 6 decimals', () => {
    const r = readOrThrow(gpawOutFormat, bytes('si2_pw.txt'), 'si2_pw.txt');
    const exp = doc('si2_pw.txt').frames;
    // ASE does not read the stress: compare it separately.
    checkFrames(r.frames.map((f) => ({ ...f, stressEvPerA3: undefined })), exp);
    expect(maxAbsDiff(r.frames[0].stressEvPerA3!, exp[0].stress_from_calculator)).toBeLessThanOrEqual(5e-7);
    expect(r.frames[0].info.free_energy_eV).toBe(-11.660556);
    expect(r.frames[0].energyEv).toBe(-11.660485); // "Extrapolated:", ASE's energy
  });

  it('h2_relax.txt: one frame per block, non-periodic cell', () => {
    const r = readOrThrow(gpawOutFormat, bytes('h2_relax.txt'), 'h2_relax.txt');
    checkFrames(r.frames, doc('h2_relax.txt').frames);
    expect(r.frames[0].pbc).toEqual([false, false, false]);
    expect(r.labelKeys.energy).toEqual({ Extrapolated: 3 });
  });

  it('streams in 41-byte chunks; detected by content; located errors', async () => {
    const r = await readInChunks(gpawOutFormat, bytes('h2_relax.txt'), 41, 'x.txt');
    checkFrames(r.frames, doc('h2_relax.txt').frames);
    const f = detectFormat('gpaw.txt', text('si2_pw.txt').slice(0, 8192));
    expect('name' in f && f.name).toBe('gpaw-out');
    const bad = text('si2_pw.txt').replace(/(Forces in eV\/Ang:\n\s+0 Si\s+)\S+/, '$1nan?');
    const e = readText(gpawOutFormat, bad, { fileName: 'bad.txt' });
    expect(e.ok).toBe(false);
    if (!e.ok) expect(e.error.message).toMatch(/bad.txt:\d+: expected 3 numbers for the force on atom 1 of 2/);
  });
});
