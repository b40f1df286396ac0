// Colormaps for per-atom scalars, and sRGB -> linear conversion for GPU instance colours.
// viridis (matplotlib, perceptually uniform; van der Walt & Smith 2015) for magnitudes and
// coolwarm (Moreland 2009, "Diverging Color Maps for Scientific Visualization") for signed
// values. Stops are sRGB; interpolation is linear in sRGB between stops, the GPU gets linear RGB.

export type ColormapName = 'viridis' | 'coolwarm';

const STOPS: Record<ColormapName, number[]> = {
  // viridis at t = 0, 0.1, ..., 1
  viridis: [
    0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c, 0x22a884, 0x44bf70, 0x7ad151,
    0xbddf26, 0xfde725,
  ],
  // coolwarm at t = 0, 0.125, ..., 1 (Moreland's table)
  coolwarm: [
    0x3b4cc0, 0x6282ea, 0x8db0fe, 0xb8d0f9, 0xdddddd, 0xf5c4ad, 0xf49a7b, 0xde604d, 0xb40426,
  ],
};

export const COLORMAP_NAMES: readonly ColormapName[] = ['viridis', 'coolwarm'];

/** sRGB component in [0, 1] -> linear. */
export function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

/** Writes the linear RGB of 0xRRGGBB into out[offset..offset+2]. */
export function hexToLinear(hex: number, out: Float32Array | number[], offset = 0): void {
  out[offset] = srgbToLinear(((hex >> 16) & 255) / 255);
  out[offset + 1] = srgbToLinear(((hex >> 8) & 255) / 255);
  out[offset + 2] = srgbToLinear((hex & 255) / 255);
}

/** sRGB colour (0xRRGGBB) of the map at t in [0, 1] (clamped; NaN -> 0). */
export function colormapHex(name: ColormapName, t: number): number {
  const stops = STOPS[name];
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const s = x * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(s));
  const f = s - k;
  const a = stops[k];
  const b = stops[k + 1];
  let out = 0;
  for (let shift = 16; shift >= 0; shift -= 8) {
    const ca = (a >> shift) & 255;
    const cb = (b >> shift) & 255;
    out |= Math.round(ca + (cb - ca) * f) << shift;
  }
  return out;
}

const LUT_SIZE = 256;
const luts: Partial<Record<ColormapName, Float32Array>> = {};

/** [3 x 256] linear RGB table of the map (built on first use). */
function lut(name: ColormapName): Float32Array {
  let t = luts[name];
  if (!t) {
    t = new Float32Array(3 * LUT_SIZE);
    for (let k = 0; k < LUT_SIZE; k++) hexToLinear(colormapHex(name, k / (LUT_SIZE - 1)), t, 3 * k);
    luts[name] = t;
  }
  return t;
}

/** Writes the linear RGB of the map at t into out[offset..offset+2] (256-entry table, no allocation). */
export function sampleColormapLinear(
  name: ColormapName,
  t: number,
  out: Float32Array,
  offset: number,
): void {
  const table = lut(name);
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const k = 3 * Math.round(x * (LUT_SIZE - 1));
  out[offset] = table[k];
  out[offset + 1] = table[k + 1];
  out[offset + 2] = table[k + 2];
}

/** CSS linear-gradient (left = min, right = max) for a legend bar. */
export function colormapCss(name: ColormapName, direction = 'to right'): string {
  const stops = STOPS[name];
  const parts = stops.map((hex, k) => {
    const pct = ((100 * k) / (stops.length - 1)).toFixed(1);
    return `#${hex.toString(16).padStart(6, '0')} ${pct}%`;
  });
  return `linear-gradient(${direction}, ${parts.join(', ')})`;
}
