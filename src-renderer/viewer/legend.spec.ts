import { describe, expect, it } from 'vitest';
import { colorizeScalars, finiteRange, forceMagnitudes, scalarScale } from './legend';
import { hexToLinear } from './colormaps';

describe('legend ranges', () => {
  it('finiteRange ignores NaN and is null when nothing is finite', () => {
    expect(finiteRange([3, NaN, -1, 2], 4)).toEqual({ min: -1, max: 3 });
    expect(finiteRange([NaN, NaN], 2)).toBeNull();
    expect(finiteRange([], 0)).toBeNull();
  });

  it('magnitudes run from 0 to max on viridis', () => {
    expect(scalarScale([0.2, 1.5, 0.7], 3, 'magnitude')).toEqual({ min: 0, max: 1.5, colormap: 'viridis' });
    expect(scalarScale([0, 0], 2, 'magnitude')!.max).toBe(1);
  });

  it('signed values that change sign use coolwarm symmetric about 0', () => {
    expect(scalarScale([-0.3, 0.8, 0.1], 3, 'signed')).toEqual({ min: -0.8, max: 0.8, colormap: 'coolwarm' });
    expect(scalarScale([1, 2, 4], 3, 'signed')).toEqual({ min: 1, max: 4, colormap: 'viridis' });
  });

  it('widens a degenerate range so the value sits mid-map', () => {
    const s = scalarScale([2, 2, 2], 3, 'signed')!;
    expect(s.min).toBeLessThan(2);
    expect(s.max).toBeGreaterThan(2);
    expect((s.min + s.max) / 2).toBeCloseTo(2, 12);
  });

  it('forceMagnitudes and colorizeScalars write per-atom outputs', () => {
    const mags = new Float32Array(2);
    forceMagnitudes(mags, [3, 4, 0, 0, 0, -2], 2);
    expect(Array.from(mags)).toEqual([5, 2]);
    const out = new Float32Array(9);
    colorizeScalars(out, [0, 1, NaN], 3, { min: 0, max: 1, colormap: 'viridis' });
    const lo = new Float32Array(3), hi = new Float32Array(3);
    hexToLinear(0x440154, lo);
    hexToLinear(0xfde725, hi);
    for (let c = 0; c < 3; c++) {
      expect(out[c]).toBeCloseTo(lo[c], 6);
      expect(out[3 + c]).toBeCloseTo(hi[c], 6);
      expect(out[6 + c]).toBeCloseTo(0.2, 6);
    }
  });
});
