import { describe, expect, it } from 'vitest';
import { describeModelConfig } from './describe';
import { defaultBehlerParrinelloConfig } from './behlerParrinello';
import { defaultPainnConfig } from './painn';

describe('describeModelConfig', () => {
  it('condenses symmetry functions and the network of a BP model', () => {
    const s = describeModelConfig('Behler-Parrinello network', defaultBehlerParrinelloConfig());
    // defaults: 1 + 8 radial, 2 η × 4 ζ × 2 λ angular
    expect(s).toBe('Behler-Parrinello network: 9 G2 + 16 G4 (η×ζ×λ = 2×4×2) per element (pair), rc 5 Å; MLP 16-16 tanh');
  });
  it('lists PaiNN settings as key/value pairs', () => {
    const s = describeModelConfig('PaiNN', defaultPainnConfig());
    expect(s).toContain('cutoffA 5');
    expect(s).toContain('features 32');
    expect(s).toContain('headHidden 16');
    expect(s).toContain('directForces false');
  });
});
