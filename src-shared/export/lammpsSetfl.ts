// EAM potentials -> a DYNAMO setfl file for LAMMPS `pair_style eam/alloy` (doc:
// lammps.org/pair_eam.html; format in potentials/eamFile.ts).
//
// What is written are the knot values our EAM calculator splines (potentials/eamSpline.ts, the same
// tables LAMMPS builds in PairEAM::file2array): F(ρ) on Nrho points, ρ(r) and r·φ(r) on Nr points.
//   - setfl input: the file's own tables, so the export is the input re-written (numbers printed
//     as the shortest decimal that reads back to the same double).
//   - funcfl input (*.eam, pair_style eam): LAMMPS puts F, ρ and Z on one grid with one point
//     fewer than the file (4-point Lagrange interpolation) and builds r·φ = 27.2·0.529·Z(r)² (eV·Å);
//     those regridded tables are written, so eam/alloy splines exactly what pair_style eam splined.
//     One difference remains, beyond the table: pair_style eam continues F linearly above the funcfl
//     file's last density (Nrho-1)·drho, eam/alloy above the setfl's last, one drho lower. Densities
//     in that last interval (far above any equilibrium density) get F from the end of the table plus
//     a linear term in a different place; `notes` says where.
import { symbolOf } from '../atoms/elements';
import type { EamFile } from '../potentials/eamFile';
import { EAM_STRIDE, eamTables } from '../potentials/eamSpline';

export interface SetflExport {
  text: string;
  elements: string[];
  cutoffA: number;
  /** Largest density tabulated, (Nrho-1)·drho. */
  rhoMax: number;
  notes: string[];
  /** `pair_style eam/alloy` + pair_coeff line for a file called `fileName`; LAMMPS types are `typeElements` (default: the file's elements in order). */
  pairLines(fileName: string, typeElements?: readonly string[]): string[];
}

const PER_LINE = 5;

function pushTable(lines: string[], values: ArrayLike<number>): void {
  for (let k = 0; k < values.length; k += PER_LINE) {
    const row: string[] = [];
    for (let q = k; q < Math.min(k + PER_LINE, values.length); q++) row.push(String(values[q]));
    lines.push(row.join(' '));
  }
}

/** Knot values f_1..f_n of table `index` in a spline array (c6 of each knot). */
function knots(spline: Float64Array, offset: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let m = 1; m <= n; m++) out[m - 1] = spline[offset + m * EAM_STRIDE + 6];
  return out;
}

export function exportSetfl(file: EamFile, source = 'EAM potential'): SetflExport {
  const t = eamTables(file);
  const nEl = t.symbols.length;
  const notes: string[] = [];
  const header = (i: number) => {
    if (file.format === 'funcfl') return `${file.atomicNumber} ${file.massAmu} ${Number.isFinite(file.latticeConstantA) ? file.latticeConstantA : 0} ${file.lattice || 'unknown'}`;
    const e = file.elements[i];
    return `${e.atomicNumber} ${e.massAmu} ${Number.isFinite(e.latticeConstantA) ? e.latticeConstantA : 0} ${e.lattice || 'unknown'}`;
  };
  const lines: string[] = [
    `Atomforge export of ${source} for pair_style eam/alloy`,
    file.format === 'funcfl' ? `from funcfl: tables regridded as LAMMPS pair_style eam does; r*phi = 27.2*0.529*Z(r)^2 eV*A` : (file.comments[0] || 'from setfl'),
    `units metal: r in A, F in eV, r*phi in eV*A`,
    `${nEl} ${t.symbols.join(' ')}`,
    `${t.nrho} ${t.drho} ${t.nr} ${t.drA} ${t.cutoffA}`,
  ];
  for (let i = 0; i < nEl; i++) {
    lines.push(header(i));
    pushTable(lines, knots(t.frhoSpline, t.type2frho[i], t.nrho));
    pushTable(lines, knots(t.rhorSpline, t.type2rhor[i * nEl + i], t.nr));
  }
  for (let i = 0; i < nEl; i++) for (let j = 0; j <= i; j++) pushTable(lines, knots(t.z2rSpline, t.type2z2r[i * nEl + j], t.nr));
  const rhoMax = (t.nrho - 1) * t.drho;
  if (file.format === 'funcfl') {
    notes.push(
      `funcfl -> setfl: F(rho) is tabulated up to rho = ${rhoMax} (pair_style eam: ${t.rhomax}); above that both continue F linearly but from different points, so the two agree only for densities below ${rhoMax}.`,
    );
  }
  const elements = t.symbols.map((s, i) => s || symbolOf(t.atomicNumbers[i]));
  return {
    text: lines.join('\n') + '\n',
    elements,
    cutoffA: t.cutoffA,
    rhoMax,
    notes,
    pairLines: (fileName, typeElements = elements) => {
      for (const e of typeElements) if (!elements.includes(e)) throw new Error(`eam/alloy export: the EAM file has no ${e} (it holds ${elements.join(', ')})`);
      return ['pair_style eam/alloy', `pair_coeff * * ${fileName} ${typeElements.join(' ')}`];
    },
  };
}
