// The valid sample files each registered reader is fuzzed from (fixtures/io/** and the bundled
// examples), loaded from disk for the fuzz spec and bench/fuzz.ts. Every format in FORMATS that can
// read must have at least one entry here; fuzzFixturesFor throws otherwise, so a new reader
// without fixtures fails the fuzz spec instead of being skipped.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FuzzFixture } from '../src-shared/io/fuzz/fuzzHarness';
import type { ReadOptions } from '../src-shared/io/format';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const S = 'fixtures/io/structures/';
const D = 'fixtures/io/dft/';
const X = 'fixtures/io/extxyz/';
const EXTXYZ = ['bulk', 'columns', 'dft_keys', 'molecule', 'plain', 'ref_keys', 'traj', 'virial', 'voigt6'].map((n) => `${X}${n}.xyz`);

/** Fixture paths (relative to the repository root) and read options, per format name. */
export const FUZZ_FIXTURES: Record<string, { paths: string[]; options?: ReadOptions }> = {
  extxyz: { paths: [...EXTXYZ, 'resources/examples/Si_mlearn_test.xyz', 'resources/examples/ethanol_gfnff_gfn2.xyz'] },
  xyz: { paths: [`${X}plain.xyz`, `${X}molecule.xyz`, `${X}traj.xyz`, `${D}xtb/h2o.xyz`] },
  vasp: {
    paths: ['CONTCAR_velocities', 'POSCAR_cartesian', 'POSCAR_negative_scale', 'POSCAR_selective', 'POSCAR_three_scales', 'POSCAR_vasp4_comment', 'POSCAR_vasp4_nospecies', 'POSCAR_vasp5_direct'].map((n) => S + n),
    options: { species: ['Si', 'O', 'Cu', 'Ni'] },
  },
  cif: { paths: ['ase_two_blocks.cif', 'p21c_symops.cif', 'partial_occupancy.cif', 'rutile_symops.cif'].map((n) => S + n) },
  pdb: { paths: [`${S}ase_multimodel.pdb`, `${S}handmade.pdb`] },
  n2p2: { paths: [`${D}n2p2/caf2_ev/input.data`] },
  'lammps-data': { paths: [`${S}charge.data`, `${S}triclinic.data`], options: { species: ['Cu', 'Ni', 'Al', 'Fe'] } },
  'lammps-dump': { paths: [`${S}ortho.lammpstrj`, `${S}triclinic.lammpstrj`], options: { species: ['Cu', 'Ni', 'Al', 'Fe'] } },
  'vasp-out': { paths: [`${D}vasp/OUTCAR`] },
  'vasp-xml': { paths: [`${D}vasp/vasprun.xml`] },
  'vasp-xdatcar': { paths: [`${D}vasp/XDATCAR`, `${D}vasp/XDATCAR_npt`] },
  'espresso-out': { paths: ['si_relax.pwo', 'si_vcrelax.pwo', 'si_md.pwo'].map((n) => `${D}qe/${n}`) },
  'cp2k-out': { paths: ['si8_sp.out', 'h2o_sp.out', 'si8_md.out'].map((n) => `${D}cp2k/${n}`) },
  'gpaw-out': { paths: [`${D}gpaw/si2_pw.txt`, `${D}gpaw/h2_relax.txt`] },
  'turbomole-gradient': { paths: [`${D}xtb/gradient`] },
  'n2p2-bohr': { paths: [`${D}n2p2/h2o_bohr/input.data`] },
};

/** The fixtures of one format, read from disk. */
export function fuzzFixturesFor(format: string): FuzzFixture[] {
  const entry = FUZZ_FIXTURES[format];
  if (!entry) throw new Error(`no fuzz fixtures listed for format "${format}" (add them to test-support/fuzzFixtures.ts)`);
  return entry.paths.map((p) => ({ name: basename(p), bytes: new Uint8Array(readFileSync(join(ROOT, p))), options: entry.options }));
}

/** Process CPU time in ms (user + system): the fuzz time box, unaffected by other load on the machine. */
export function cpuClockMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
