// Per-atom display colours for a colour mode: element (Jmol), |F| (viridis, 0..max) or a per-atom
// column (coolwarm about 0 when it changes sign, else viridis), plus the matching legend.
// Writes into caller-owned buffers; no three.js, so it is unit-tested in node.
import { elementColor, MAX_Z } from '../../src-shared/atoms/elements';
import { hexToLinear } from './colormaps';
import { colorizeScalars, forceMagnitudes, scalarScale } from './legend';
import type { ColorLegend, ColorMode, ViewStructure } from './types';

let elementTable: Float32Array | null = null;

/** Linear RGB of element z into out[o..o+2] (table built once). */
export function elementLinear(z: number, out: Float32Array, o: number): void {
  if (!elementTable) {
    elementTable = new Float32Array(3 * (MAX_Z + 1));
    for (let k = 0; k <= MAX_Z; k++) hexToLinear(elementColor(k), elementTable, 3 * k);
  }
  if (z >= 0 && z <= MAX_Z) {
    out[o] = elementTable[3 * z];
    out[o + 1] = elementTable[3 * z + 1];
    out[o + 2] = elementTable[3 * z + 2];
  } else {
    hexToLinear(elementColor(z), out, o);
  }
}

/**
 * Writes [3N] linear RGB for the mode into `out` and returns the legend, or null when the atoms
 * got element colours (element mode, or the forces / column are missing).
 * @param elementColors [3N] linear element colours (fallback)
 * @param scratch [N] work buffer
 * @param fixedRange overrides the automatic value range (trajectory-wide legends)
 */
export function writeAtomColors(
  out: Float32Array,
  s: ViewStructure,
  n: number,
  mode: ColorMode,
  elementColors: Float32Array,
  scratch: Float32Array,
  fixedRange: { min: number; max: number } | null,
): ColorLegend | null {
  let values: ArrayLike<number> | null = null;
  let label = '';
  let unit = '';
  if (mode.kind === 'force' && s.forcesEvPerA && s.forcesEvPerA.length >= 3 * n) {
    forceMagnitudes(scratch, s.forcesEvPerA, n);
    values = scratch;
    label = '|F|';
    unit = 'eV/Å';
  } else if (mode.kind === 'column') {
    const col = s.columns?.[mode.name];
    if (col && col.length >= n) {
      values = col;
      label = mode.name;
      unit = s.columnUnits?.[mode.name] ?? '';
    }
  }
  const auto = values ? scalarScale(values, n, mode.kind === 'force' ? 'magnitude' : 'signed') : null;
  if (!values || !auto) {
    out.set(elementColors.subarray(0, 3 * n));
    return null;
  }
  const scale = fixedRange ? { ...auto, min: fixedRange.min, max: fixedRange.max } : auto;
  colorizeScalars(out, values, n, scale);
  return { label, unit, min: scale.min, max: scale.max, colormap: scale.colormap };
}
