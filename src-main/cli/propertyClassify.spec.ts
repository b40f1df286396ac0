// CLI `property classify`: the JSON contract per atom (Cu structure types, out-of-fold, structure-wise
// folds) and per structure (distorted CH4 vs H2O written to a temporary file), and the refusals.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../test-support/cliRun';
import { PROPERTY_COMMANDS } from './property';
import { createRng } from '../../src-shared/space/rng';

const CU = fileURLToPath(new URL('../../fixtures/property/cu_structure_types.xyz', import.meta.url));

const run = (argv: string[]) => runCli(PROPERTY_COMMANDS[0], argv);

afterEach(() => vi.restoreAllMocks());

/** 16 molecules, CH4-like ("alkane") and H2O-like ("water"), positions jittered by ±0.05 Å. */
function moleculesFile(): string {
  const rng = createRng(3);
  const ch4 = [['C', 0, 0, 0], ['H', 0.63, 0.63, 0.63], ['H', -0.63, -0.63, 0.63], ['H', -0.63, 0.63, -0.63], ['H', 0.63, -0.63, -0.63]] as const;
  const h2o = [['O', 0, 0, 0], ['H', 0.757, 0.586, 0], ['H', -0.757, 0.586, 0]] as const;
  const lines: string[] = [];
  for (let m = 0; m < 16; m++) {
    const mol = m % 2 ? h2o : ch4;
    lines.push(String(mol.length), `Properties=species:S:1:pos:R:3 kind=${m % 2 ? 'water' : 'alkane'} pbc="F F F"`);
    for (const [s, x, y, z] of mol) lines.push(`${s} ${[x, y, z].map((v) => (v + 0.1 * (rng.next() - 0.5)).toFixed(6)).join(' ')}`);
  }
  const path = join(mkdtempSync(join(tmpdir(), 'classify-')), 'molecules.xyz');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('atomforge property classify', () => {
  it('--per-atom --json: out-of-fold confusion matrix over every atom, per-fold accuracy, classes of one frame', async () => {
    const r = await run(['classify', CU, '--target', 'structure_type', '--per-atom', '--folds', 'fold', '--frame', '0', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.kind).toBe('per-atom');
    expect(j.classes).toEqual(['bcc', 'fcc', 'hcp', 'surface']);
    expect(j.n_atoms).toBe(1284);
    expect(j.confusion_matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(1284);
    expect(j.folds.map((f: { n_test_atoms: number }) => f.n_test_atoms)).toEqual([428, 428, 428]);
    expect(j.accuracy).toBeGreaterThan(0.95);
    // accuracy is the trace of the confusion matrix over its sum
    const trace = j.confusion_matrix.reduce((s: number, row: number[], k: number) => s + row[k], 0);
    expect(j.accuracy).toBeCloseTo(trace / 1284, 12);
    expect(j.frame.true).toHaveLength(96);
    expect(j.frame.true.filter((c: string) => c === 'surface')).toHaveLength(32);
    expect(j.frame.predicted.filter((c: string, a: number) => c === 'surface' && j.frame.true[a] === 'surface').length).toBeGreaterThanOrEqual(30);
  });

  it('per structure (bag of bonds): separates CH4-like from H2O-like molecules with random folds', async () => {
    const path = moleculesFile();
    const r = await run(['classify', path, '--target', 'kind', '--k', '4', '--representation', 'bob', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.kind).toBe('per-structure');
    expect(j.classes).toEqual(['alkane', 'water']);
    expect(j.n).toBe(16);
    expect(j.accuracy).toBe(1);
    expect(j.predictions).toEqual(Array.from({ length: 16 }, (_, m) => (m % 2 ? 'water' : 'alkane')));
    const text = await run(['classify', path, '--target', 'kind', '--k', '4']);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/out-of-fold accuracy 100\.00 % over 16 structures/);
  });

  it('refuses a missing target, an unknown column and a bad --frame with the file and the fix', async () => {
    expect((await run(['classify', CU, '--per-atom', '--folds', 'fold'])).err).toMatch(/--target KEY is required/);
    const wide = await run(['classify', CU, '--target', 'pos', '--per-atom', '--folds', 'fold']);
    expect(wide.code).toBe(1);
    expect(wide.err).toMatch(/cu_structure_types\.xyz: frame 0 has no per-atom column "pos" \(per-atom columns there: structure_type\)/);
    const frame = await run(['classify', CU, '--target', 'structure_type', '--per-atom', '--folds', 'fold', '--frame', '99']);
    expect(frame.code).toBe(2);
    expect(frame.err).toMatch(/--frame must be a frame index 0\.\.11/);
    const noFolds = await run(['classify', CU, '--target', 'structure_type', '--per-atom']);
    expect(noFolds.err).toMatch(/--folds INFO_KEY \(or --k K/);
  });
});
