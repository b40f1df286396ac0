// Turbomole-format gradient file written by Debian's xtb 6.5.1 (`xtb h2o.xyz --grad`, GFN2-xTB;
// fixtures/io/dft/xtb, made by scripts/fixtures/gen_dft.py): Bohr and Hartree converted here by
// hand and compared with the script's conversion (ASE 3.22 units) and xtb's stdout energy.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readText } from '../read';
import { detectFormat } from '../registry';
import { checkFrames, readOrThrow } from './dftTesting';
import { turbomoleGradientFormat } from './turbomoleGradient';

const DIR = fileURLToPath(new URL('../../../fixtures/io/dft/xtb/', import.meta.url));
const text = readFileSync(DIR + 'gradient', 'utf8');
const doc = JSON.parse(readFileSync(DIR + 'gradient.json', 'utf8'));

describe('Turbomole / xtb gradient', () => {
  it('matches the reference conversion and the stdout energy', () => {
    const r = readOrThrow(turbomoleGradientFormat, text, 'gradient');
    checkFrames(r.frames, doc.frames, { energy: 1e-10, forces: 1e-13, positions: 1e-12 });
    expect(Math.abs(r.frames[0].energyEv! - doc.energy_from_stdout)).toBeLessThan(1e-8); // 11 vs 12 decimals
    expect(r.frames[0].info.energy_kind).toBe('SCF');
  });

  it('conversions by hand: Bohr -> Å, Hartree -> eV, force = -gradient', () => {
    const f = readOrThrow(turbomoleGradientFormat, text, 'gradient').frames[0];
    expect(f.positionsA[2]).toBeCloseTo(0.22537251707448 * 0.529177210564, 12); // O z = 0.1192620 Å (the input)
    expect(f.positionsA[2]).toBeCloseTo(0.119262, 6);
    expect(f.energyEv).toBeCloseTo(-5.07036591362 * 27.211386024, 8); // -137.9721 eV
    expect(f.forcesEvPerA![1]).toBeCloseTo((8.3268541258008e-3 * 27.211386024) / 0.529177210564, 9); // gy(O) < 0 -> fy > 0
    expect(f.cellA).toBeNull();
  });

  it('several cycles, D exponents, lower-case elements; detection; errors', () => {
    const cycle = (k: number, e: string) => `  cycle =      ${k}    SCF energy =    ${e}   |dE/dxyz| =  0.1\n    0.0 0.0 0.0      h\n    0.0 0.0 1.4      h\n   0.1D-01  0.0D+00  -0.2D-01\n  -0.1D-01  0.0D+00   0.2D-01\n`;
    const two = `$grad          cartesian gradients\n${cycle(1, '-1.10')}${cycle(2, '-1.15')}$end\n`;
    const r = readOrThrow(turbomoleGradientFormat, two, 'gradient');
    expect(r.frames.map((f) => f.info.cycle)).toEqual([1, 2]);
    expect(r.frames[1].symbols).toEqual(['H', 'H']);
    expect(r.frames[1].forcesEvPerA![2]).toBeCloseTo((0.02 * 27.211386024) / 0.529177210564, 10);
    const d = detectFormat('gradient', two);
    expect('name' in d && d.name).toBe('turbomole-gradient');
    const bad = readText(turbomoleGradientFormat, two.replace('-0.1D-01  0.0D+00   0.2D-01\n  cycle', 'cycle'), { fileName: 'gradient' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/2 gradient rows after the 2 coordinates of cycle 1/);
  });
});
