// Chemical elements: symbol <-> atomic number, masses (amu), covalent radii (Å), colours.
// Data come from ASE (see elementData.ts and scripts/gen_elements.py).
import { ELEMENT_DATA } from './elementData';

const bySymbol = new Map<string, number>();
ELEMENT_DATA.forEach(([s], z) => bySymbol.set(s.toLowerCase(), z));

/** Atomic number of a symbol ("Cu", "cu", "CU"); -1 when unknown. */
export function atomicNumber(symbol: string): number {
  const z = bySymbol.get(symbol.trim().toLowerCase());
  return z === undefined ? -1 : z;
}

/** Canonical symbol for an atomic number ("X" for 0 or out of range). */
export function symbolOf(z: number): string {
  return ELEMENT_DATA[z]?.[0] ?? 'X';
}

export function massAmu(z: number): number {
  return ELEMENT_DATA[z]?.[1] ?? 1;
}

export function covalentRadiusA(z: number): number {
  return ELEMENT_DATA[z]?.[2] ?? 0.2;
}

/** Jmol colour as 0xRRGGBB. */
export function elementColor(z: number): number {
  return ELEMENT_DATA[z]?.[3] ?? 0xff1493;
}

export const MAX_Z = ELEMENT_DATA.length - 1;

/**
 * Symbol from a label such as "Cu1", "C12A", "OW", "Fe2+" (PDB/CIF/LAMMPS type labels):
 * the longest leading element symbol. Returns null when no element matches.
 */
export function symbolFromLabel(label: string): string | null {
  const m = /^[A-Za-z]{1,2}/.exec(label.trim());
  if (!m) return null;
  const two = m[0];
  if (two.length === 2) {
    const z2 = atomicNumber(two);
    if (z2 > 0) return symbolOf(z2);
  }
  const z1 = atomicNumber(two[0]);
  return z1 > 0 ? symbolOf(z1) : null;
}
