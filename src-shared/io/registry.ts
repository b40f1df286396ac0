// Declarative format registry (cf. ASE io/formats.py). UI pickers, the CLI (`convert --to`) and the
// README's formats table are all driven by this list.
import type { FormatSpec } from './format';
import { extxyzFormat } from './formats/extxyz';
import { xyzFormat } from './formats/xyz';
import { poscarFormat } from './formats/poscar';
import { cifFormat } from './formats/cif';
import { pdbFormat } from './formats/pdb';
import { lammpsDataFormat } from './formats/lammpsData';
import { lammpsDumpFormat } from './formats/lammpsDump';
import { vaspOutcarFormat } from './formats/vaspOutcar';
import { vasprunFormat } from './formats/vasprun';
import { xdatcarFormat } from './formats/xdatcar';
import { espressoOutFormat } from './formats/espressoOut';
import { cp2kOutFormat } from './formats/cp2kOut';
import { gpawOutFormat } from './formats/gpawOut';
import { turbomoleGradientFormat } from './formats/turbomoleGradient';
import { n2p2BohrFormat, n2p2Format } from './formats/n2p2';

export const FORMATS: readonly FormatSpec[] = [
  extxyzFormat,
  xyzFormat,
  poscarFormat,
  cifFormat,
  pdbFormat,
  // n2p2 before lammps-data: both claim input.data (n2p2 by base name, lammps-data by the .data
  // extension); reading sniffs between them, writing takes the first, and input.data is n2p2's name.
  n2p2Format,
  lammpsDataFormat,
  lammpsDumpFormat,
  // DFT-code outputs and training-data formats (issue 8)
  vaspOutcarFormat,
  vasprunFormat,
  xdatcarFormat,
  espressoOutFormat,
  cp2kOutFormat,
  gpawOutFormat,
  turbomoleGradientFormat,
  n2p2BohrFormat,
];

export function formatByName(name: string): FormatSpec | undefined {
  const n = name.toLowerCase();
  return FORMATS.find((f) => f.name === n);
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1];
}

/** Formats whose extension or base name matches, best first. */
export function formatsForFileName(path: string): FormatSpec[] {
  const base = baseName(path).toLowerCase();
  const dot = base.lastIndexOf('.');
  const ext = dot >= 0 ? base.slice(dot + 1) : '';
  const stem = dot >= 0 ? base.slice(0, dot) : base;
  return FORMATS.filter(
    (f) =>
      (ext && f.extensions.includes(ext)) ||
      f.baseNames?.some((b) => base === b.toLowerCase() || stem === b.toLowerCase() || base.startsWith(b.toLowerCase())),
  );
}

/**
 * Pick the format to read a file with: an explicit name wins, then the extension/base name
 * (sniffing among candidates when several match), then sniffing the content of every format.
 */
export function detectFormat(path: string, head: string, explicit?: string): FormatSpec | { error: string } {
  if (explicit) {
    const f = formatByName(explicit);
    return f ?? { error: `unknown format "${explicit}"; known formats: ${FORMATS.map((x) => x.name).join(', ')}` };
  }
  const byName = formatsForFileName(path).filter((f) => f.read);
  if (byName.length === 1) return byName[0];
  const pool = byName.length > 1 ? byName : FORMATS.filter((f) => f.read);
  let best: FormatSpec | null = null;
  let bestScore = 0;
  for (const f of pool) {
    const s = f.sniff ? f.sniff(head) : 0;
    if (s > bestScore) {
      best = f;
      bestScore = s;
    }
  }
  if (best && bestScore > 0) return best;
  if (byName.length > 0) return byName[0];
  return {
    error: `${baseName(path)}: could not tell the file format from its name or content; name it with a known extension (${FORMATS.flatMap((f) => f.extensions.map((e) => '.' + e)).join(', ')}) or pass --format NAME`,
  };
}

/** Format for writing a file: explicit name, else by extension ('.xyz' means extended XYZ). */
export function formatForWriting(path: string, explicit?: string): FormatSpec | { error: string } {
  const f = explicit ? formatByName(explicit) : formatsForFileName(path).find((x) => x.write);
  if (!f) {
    return {
      error: explicit
        ? `unknown output format "${explicit}"; writable formats: ${FORMATS.filter((x) => x.write).map((x) => x.name).join(', ')}`
        : `cannot tell the output format from "${baseName(path)}"; use --to with one of ${FORMATS.filter((x) => x.write).map((x) => x.name).join(', ')}`,
    };
  }
  if (!f.write) return { error: `format ${f.name} can be read but not written` };
  return f;
}
