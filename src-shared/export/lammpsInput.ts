// An example LAMMPS input for an exported classical potential (pair_style table, eam/alloy, sw):
// units metal (Å, eV, ps, bar), atom types in the export's element order, a short NVE run. Users
// replace the data file and the run; the pair and mass lines are what matter.
import { atomicNumber, massAmu } from '../atoms/elements';

export interface ExampleInputOptions {
  /** Element of each LAMMPS atom type (type 1 first). */
  elements: readonly string[];
  pairLines: readonly string[];
  /** One-line description of the potential. */
  title: string;
  dataFile?: string;
}

export function exampleLammpsInput(o: ExampleInputOptions): string {
  return [
    `# LAMMPS input written by Atomforge: ${o.title}`,
    '# units metal: distances Å, energies eV, time ps, pressure bar; the exported files use Å and eV.',
    'units metal',
    'atom_style atomic',
    'boundary p p p',
    `read_data ${o.dataFile ?? 'structure.data'}   # atom types 1..${o.elements.length} must be ${o.elements.join(', ')}`,
    ...o.elements.map((e, t) => `mass ${t + 1} ${massAmu(atomicNumber(e))}`),
    ...o.pairLines,
    'neighbor 1.0 bin',
    'velocity all create 300.0 12345 mom yes rot yes',
    'fix nve all nve',
    'timestep 0.001   # ps (1 fs)',
    'thermo_style custom step temp pe etotal press',
    'thermo 10',
    'run 1000',
    '',
  ].join('\n');
}
