import { describe, expect, it } from 'vitest';
import { colormapCss, colormapHex, COLORMAP_NAMES, hexToLinear, sampleColormapLinear, srgbToLinear } from './colormaps';

describe('colormaps', () => {
  it('srgbToLinear fixes 0 and 1 and is monotone', () => {
    expect(srgbToLinear(0)).toBe(0);
    expect(srgbToLinear(1)).toBeCloseTo(1, 12);
    let prev = -1;
    for (let k = 0; k <= 100; k++) {
      const v = srgbToLinear(k / 100);
      expect(v).toBeGreaterThan(prev);
      prev = v;
    }
  });

  it('ends at the published endpoints and clamps outside [0, 1]', () => {
    expect(colormapHex('viridis', 0)).toBe(0x440154);
    expect(colormapHex('viridis', 1)).toBe(0xfde725);
    expect(colormapHex('viridis', -3)).toBe(0x440154);
    expect(colormapHex('viridis', 7)).toBe(0xfde725);
    expect(colormapHex('viridis', NaN)).toBe(0x440154);
    expect(colormapHex('coolwarm', 0.5)).toBe(0xdddddd);
  });

  it('viridis gets lighter from 0 to 1 (perceptually ordered)', () => {
    const luma = (hex: number) => 0.2126 * srgbToLinear(((hex >> 16) & 255) / 255) + 0.7152 * srgbToLinear(((hex >> 8) & 255) / 255) + 0.0722 * srgbToLinear((hex & 255) / 255);
    let prev = -1;
    for (let k = 0; k <= 50; k++) {
      const l = luma(colormapHex('viridis', k / 50));
      expect(l).toBeGreaterThan(prev);
      prev = l;
    }
  });

  it('the linear lookup table matches the exact map within a table step', () => {
    const out = new Float32Array(3);
    const ref = new Float32Array(3);
    for (const name of COLORMAP_NAMES) {
      for (let k = 0; k <= 255; k++) {
        const t = k / 255;
        sampleColormapLinear(name, t, out, 0);
        hexToLinear(colormapHex(name, t), ref, 0);
        for (let c = 0; c < 3; c++) expect(out[c]).toBeCloseTo(ref[c], 5);
      }
    }
  });

  it('colormapCss lists every stop from 0% to 100%', () => {
    const css = colormapCss('viridis');
    expect(css.startsWith('linear-gradient(to right, #440154 0.0%')).toBe(true);
    expect(css).toContain('#fde725 100.0%');
  });
});
