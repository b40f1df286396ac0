// Quantum ESPRESSO pw.x output reader on hand-written excerpts in pw.x's format (Debian's QE has
// no pseudopotentials, so nothing is run): relax (alat positions), vc-relax (CELL_PARAMETERS alat=,
// crystal positions, final scf) and md (angstrom and bohr positions). Compared with ASE 3.22's
// read_espresso_out of the same files (fixtures/io/dft/qe/*.json, scripts/fixtures/gen_dft.py), and
// every kind of conversion recomputed here by hand from QE's own constants (Modules/constants.f90:
// BOHR_RADIUS_ANGS = 0.52917720859, RYTOEV = 13.60569193).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readText } from '../read';
import { detectFormat } from '../registry';
import { checkFrames, readInChunks, readOrThrow } from './dftTesting';
import { QE_BOHR_A, QE_RYDBERG_EV, espressoOutFormat } from './espressoOut';

const DIR = fileURLToPath(new URL('../../../fixtures/io/dft/qe/', import.meta.url));
const bytes = (name: string) => new Uint8Array(readFileSync(DIR + name));
const text = (name: string) => readFileSync(DIR + name, 'utf8');
const expected = (name: string) => JSON.parse(readFileSync(DIR + name + '.json', 'utf8')).frames;

const BOHR = 0.52917720859; // Å, QE
const RY = 13.60569193; // eV, QE
const REL = 1e-8; // the hand constants have 9-10 digits

function close(actual: number, hand: number) {
  expect(Math.abs(actual - hand)).toBeLessThanOrEqual(REL * Math.max(1, Math.abs(hand)));
}

describe('pw.x output', () => {
  for (const name of ['si_relax.pwo', 'si_vcrelax.pwo', 'si_md.pwo']) {
    it(`${name}: every configuration with an energy, as ASE 3.22 reads it`, () => {
      checkFrames(readOrThrow(espressoOutFormat, bytes(name), name).frames, expected(name), { positions: 1e-12, energy: 1e-10, forces: 1e-12, stress: 1e-14 });
    });
  }

  it('constants are CODATA 2006 as in pw.x and ASE (create_units("2006"))', () => {
    expect(QE_BOHR_A).toBe(0.5291772083535413);
    expect(QE_RYDBERG_EV).toBe(13.605691932782346);
    close(QE_BOHR_A, BOHR);
    close(QE_RYDBERG_EV, RY);
  });

  it('relax: conversions by hand', () => {
    const [f1, f2] = readOrThrow(espressoOutFormat, bytes('si_relax.pwo'), 'si_relax.pwo').frames;
    const alat = 10.2 * BOHR; // celldm(1) = 10.2 bohr = 5.397607528 Å
    close(f1.cellA![0], -0.5 * alat); // a(1) = (-0.5, 0, 0.5) alat
    close(f1.cellA![2], 0.5 * alat);
    close(f1.positionsA[3], 0.26 * alat); // tau(2) = (0.26, 0.25, 0.25) alat
    close(f1.positionsA[4], 0.25 * alat);
    close(f1.energyEv!, -15.84445011 * RY); // "!    total energy = -15.84445011 Ry" = -215.5747070 eV
    close(f1.forcesEvPerA![0], (-0.01234567 * RY) / BOHR); // Ry/bohr -> eV/Å: x 25.71104310
    close(f1.forcesEvPerA![5], (0.00234568 * RY) / BOHR);
    // stress: Ry/bohr³ -> eV/Å³ is x 91.81578 (13.60569193 / 0.52917720859³), sign flipped to ASE's.
    close(f1.stressEvPerA3![0], (0.00008393 * RY) / BOHR ** 3);
    close(f1.stressEvPerA3![1], (-0.00000102 * RY) / BOHR ** 3);
    close(f1.stressEvPerA3![2], (-0.00000203 * RY) / BOHR ** 3);
    expect(f1.stressEvPerA3![5]).toBe(0);
    close(f2.positionsA[3], 0.255 * alat); // ATOMIC_POSITIONS (alat) after the first BFGS step
    close(f2.energyEv!, -15.845 * RY);
    // The "Begin final coordinates" block repeats step 2 without a new energy: no third frame.
    expect(f2.info.ionic_step).toBe(2);
  });

  it('vc-relax: CELL_PARAMETERS (alat=), crystal positions and the final scf', () => {
    const frames = readOrThrow(espressoOutFormat, bytes('si_vcrelax.pwo'), 'si_vcrelax.pwo').frames;
    expect(frames).toHaveLength(3);
    const a = 10.2 * BOHR;
    close(frames[1].cellA![0], -0.4975 * a);
    close(frames[1].cellA![4], 0.4975 * a);
    // crystal (0.25, 0.25, 0.26) in rows a1 = (-c,0,c), a2 = (0,c,c), a3 = (-c,c,0), c = 0.4975 alat
    const c = 0.4975 * a;
    close(frames[1].positionsA[3], -0.25 * c - 0.26 * c);
    close(frames[1].positionsA[4], 0.25 * c + 0.26 * c);
    close(frames[1].positionsA[5], 0.25 * c + 0.25 * c);
    close(frames[2].energyEv!, -15.8461 * RY); // the final scf at the relaxed structure
    expect(frames.map((f) => f.symbols.join())).toEqual(['Si,Si', 'Si,Si', 'Si,Si']); // labels Si1, Si2
  });

  it('md: angstrom and bohr positions; frames without stress have none', () => {
    const frames = readOrThrow(espressoOutFormat, bytes('si_md.pwo'), 'si_md.pwo').frames;
    expect(frames[1].positionsA[0]).toBe(0.001); // (angstrom): unchanged
    close(frames[2].positionsA[0], 0.0037794522 * BOHR); // (bohr): 0.0020000 Å
    expect(frames.every((f) => f.stressEvPerA3 === undefined)).toBe(true);
    close(frames[2].forcesEvPerA![2], (0.005 * RY) / BOHR);
  });

  it('streams in 23-byte chunks; detected by content', async () => {
    const r = await readInChunks(espressoOutFormat, bytes('si_vcrelax.pwo'), 23, 'x.out');
    checkFrames(r.frames, expected('si_vcrelax.pwo'));
    const f = detectFormat('pw.out', text('si_relax.pwo').slice(0, 8192));
    expect('name' in f && f.name).toBe('espresso-out');
  });

  it('located errors', () => {
    let r = readText(espressoOutFormat, text('si_relax.pwo').replace(/(atom {4}2 type {2}1 {3}force = {5}0\.01234567)\s+\S+/, '$1 x'), { fileName: 'a.pwo' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/a.pwo:\d+: expected 3 numbers for the force on atom 2/);
    r = readText(espressoOutFormat, text('si_md.pwo').replace('(angstrom)', '(furlong)'), { fileName: 'b.pwo' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/ATOMIC_POSITIONS in alat, bohr, angstrom or crystal/);
  });
});
