import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extxyzFormat } from '../io/formats/extxyz';
import { readText } from '../io/read';
import { makeFrame } from '../atoms/frame';
import { foldsFromInfo } from './crossValidation';
import { atomClassTarget, runAtomClassifierStudy } from './atomClassifyStudy';

const FIXTURE = 'fixtures/property/cu_structure_types.xyz';

function fixture() {
  const read = readText(extxyzFormat, readFileSync(FIXTURE, 'utf8'), { fileName: FIXTURE });
  if (!read.ok) throw new Error(read.error.message);
  return read.frames;
}

describe('per-atom classification (ACSF + softmax) on the Cu structure-type fixture', () => {
  it('labels the atoms of held-out noisy crystals and slabs (fcc / bcc / hcp / surface)', () => {
    const frames = fixture();
    expect(frames).toHaveLength(12);
    const t = atomClassTarget(frames, 'structure_type');
    if ('error' in t) throw new Error(t.error);
    expect(t.classes).toEqual(['bcc', 'fcc', 'hcp', 'surface']);
    const folds = foldsFromInfo(frames, 'fold');
    if ('error' in folds) throw new Error(folds.error);
    const r = runAtomClassifierStudy(frames, { target: t, folds, frameIndex: 0 });
    // Every atom is predicted once, by a model that never saw its structure.
    expect(r.nAtoms).toBe(1284);
    expect(r.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(1284);
    expect(r.folds.map((f) => f.nTestAtoms)).toEqual([428, 428, 428]);
    expect(r.confusion.accuracy).toBeGreaterThan(0.95);
    for (const pc of r.confusion.perClass) expect(pc.recall).toBeGreaterThan(0.9);
    // Frame 0 is a slab: its surface layers (32 of 96 atoms) are found as surface.
    expect(r.frame.truth.filter((c) => c === 3)).toHaveLength(32);
    const hits = r.frame.truth.filter((c, a) => c === 3 && r.frame.predicted[a] === 3).length;
    expect(hits).toBeGreaterThanOrEqual(30);
  });

  it('names the frame and the fix for a missing, real-valued or wide column', () => {
    const f = makeFrame({ symbols: ['Cu', 'Cu'], positionsA: [0, 0, 0, 2, 0, 0] });
    expect(atomClassTarget([f], 'structure_type')).toEqual({ error: expect.stringContaining('frame 0 has no per-atom column "structure_type"') });
    f.arrays.q = { kind: 'real', width: 1, data: Float64Array.of(0.1, 0.2) };
    expect(atomClassTarget([f], 'q')).toEqual({ error: expect.stringContaining('classes need an integer, boolean or string column') });
    f.arrays.v = { kind: 'int', width: 3, data: new Int32Array(6) };
    expect(atomClassTarget([f], 'v')).toEqual({ error: expect.stringContaining('3 values per atom') });
    f.arrays.t = { kind: 'int', width: 1, data: Int32Array.of(10, 2) };
    const t = atomClassTarget([f], 't');
    expect(t).toEqual({ key: 't', classes: ['2', '10'], labels: [Int32Array.of(1, 0)] });
  });
});
