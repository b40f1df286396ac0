// Plain XYZ writer, reading plain files through the extended XYZ reader, and how `.xyz` resolves
// in the registry (extended XYZ for reading and writing, plain XYZ only by name).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../atoms/frame';
import { readText } from '../read';
import { detectFormat, formatForWriting, formatsForFileName } from '../registry';
import { extxyzFormat } from './extxyz';
import { xyzFormat } from './xyz';

const frames = [
  makeFrame({
    symbols: ['O', 'H', 'H'],
    positionsA: [0, 0, 0.1193, 0, 0.763239, -0.477, -0, -0.763239, -0.477],
    cellA: [10, 0, 0, 0, 10, 0, 0, 0, 10],
    energyEv: -14.2,
    forcesEvPerA: new Float64Array(9).fill(0.5),
    info: { comment: 'water, frame 0' },
  }),
  makeFrame({ symbols: ['Ar'], positionsA: [1e-20, 1 / 3, 123456.789] }),
];
const write = () => [...xyzFormat.write!(frames, { fileName: 'out.xyz' })].join('');

describe('plain XYZ', () => {
  it('writes count, comment and "symbol x y z" lines only', () => {
    expect(write()).toBe(
      '3\nwater, frame 0\nO 0 0 0.1193\nH 0 0.763239 -0.477\nH -0.0 -0.763239 -0.477\n' + '1\n\nAr 1e-20 0.3333333333333333 123456.789\n',
    );
  });

  it('reads back the same symbols and positions, bit for bit, and the comment', () => {
    const r = readText(xyzFormat, write(), { fileName: 'out.xyz' });
    expect(r.ok).toBe(true);
    r.frames.forEach((f, i) => {
      expect(f.symbols).toEqual(frames[i].symbols);
      expect(f.positionsA).toEqual(frames[i].positionsA);
      expect(f.cellA).toBeNull();
      expect(f.energyEv).toBeUndefined();
    });
    expect(Object.is(r.frames[0].positionsA[6], -0)).toBe(true);
    expect(r.frames[0].info).toEqual({ comment: 'water, frame 0' });
  });

  it('a comment with a line break is not written', () => {
    const f = makeFrame({ symbols: ['H'], positionsA: [0, 0, 0], info: { comment: 'a\nb' } });
    expect([...xyzFormat.write!([f], {})].join('')).toBe('1\n\nH 0 0 0\n');
  });

  const ase = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ase'], { timeout: 30_000 }).status === 0;
  it.skipIf(!ase)("ASE's plain XYZ reader reads our output", () => {
    const path = join(mkdtempSync(join(tmpdir(), 'xyz-')), 'ours.xyz');
    writeFileSync(path, write());
    const py = "import sys, json; from ase.io import read; print(json.dumps([a.positions.reshape(-1).tolist() for a in read(sys.argv[1], ':', format='xyz')]))";
    const r = spawnSync('/usr/bin/python3', ['-c', py, path], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(frames.map((f) => Array.from(f.positionsA)));
  });
});

describe('.xyz in the registry', () => {
  it('means extended XYZ for reading and writing; plain XYZ only by name', () => {
    expect(xyzFormat.extensions).toEqual([]);
    expect(formatsForFileName('data/train.xyz')).toEqual([extxyzFormat]);
    expect(formatsForFileName('train.extxyz')).toEqual([extxyzFormat]);
    expect(detectFormat('train.xyz', '1\n\nH 0 0 0\n')).toBe(extxyzFormat);
    expect(formatForWriting('out.xyz')).toBe(extxyzFormat);
    expect(formatForWriting('out.xyz', 'xyz')).toBe(xyzFormat);
  });
});
