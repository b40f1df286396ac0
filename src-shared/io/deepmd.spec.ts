// DeePMD npy systems: the fixtures written with numpy by scripts/fixtures/gen_dft.py (CP2K Si MD
// frames in float64 over two sets with virials; xtb water in float32 with nopbc), the virial <->
// stress conversion by hand, export -> import round trips with mixed compositions and labels.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cellVolumeA3, makeFrame } from '../atoms/frame';
import { buildDeepmdSystems, readDeepmdSystem, type DeepmdSystemFiles } from './deepmd';
import { checkFrames } from './formats/dftTesting';
import { parseNpy } from './npy';

const DIR = fileURLToPath(new URL('../../fixtures/io/dft/deepmd/', import.meta.url));
const expected = JSON.parse(readFileSync(DIR + 'expected.json', 'utf8'));

function load(name: string): DeepmdSystemFiles {
  const d = join(DIR, name);
  const sets = readdirSync(d)
    .filter((s) => s.startsWith('set.'))
    .sort()
    .map((s) => ({ name: s, files: Object.fromEntries(readdirSync(join(d, s)).map((f) => [f, new Uint8Array(readFileSync(join(d, s, f)))])) }));
  const has = (f: string) => readdirSync(d).includes(f);
  return { name, typeRaw: readFileSync(join(d, 'type.raw'), 'utf8'), typeMapRaw: has('type_map.raw') ? readFileSync(join(d, 'type_map.raw'), 'utf8') : undefined, nopbc: has('nopbc'), sets };
}

/** The files of an exported system as DeepmdSystemFiles. */
function asFiles(dir: string, files: Record<string, string | Uint8Array>): DeepmdSystemFiles {
  const sets = new Map<string, Record<string, Uint8Array>>();
  for (const [p, c] of Object.entries(files)) {
    const m = /^(set\.\d+)\/(.+)$/.exec(p);
    if (m) {
      if (!sets.has(m[1])) sets.set(m[1], {});
      sets.get(m[1])![m[2]] = c as Uint8Array;
    }
  }
  return { name: dir, typeRaw: files['type.raw'] as string, typeMapRaw: files['type_map.raw'] as string, nopbc: 'nopbc' in files, sets: [...sets.keys()].sort().map((name) => ({ name, files: sets.get(name)! })) };
}

describe('DeePMD npy systems', () => {
  it('float64 system over two sets: frames, stress = -virial / V', () => {
    const frames = readDeepmdSystem(load('si8_f64'));
    checkFrames(frames, expected.si8_f64, { positions: 0, energy: 0, forces: 0, stress: 1e-17 });
    expect(frames.map((f) => f.info.deepmd_set)).toEqual(['set.000', 'set.000', 'set.001']);
    // By hand: virial.npy holds -stress * V; V = 5.43³ = 160.103007 Å³.
    const vir = parseNpy(new Uint8Array(readFileSync(join(DIR, 'si8_f64/set.000/virial.npy')))).data;
    expect(cellVolumeA3(frames[0].cellA)).toBeCloseTo(160.103007, 6);
    expect(frames[0].stressEvPerA3![0]).toBeCloseTo(-vir[0] / 160.103007, 12);
  });

  it('float32 non-periodic system: no box, no stress, float32 precision', () => {
    const frames = readDeepmdSystem(load('h2o_f32'));
    expect(frames[0].cellA).toBeNull();
    expect(frames[0].pbc).toEqual([false, false, false]);
    expect(frames[0].symbols).toEqual(['O', 'H', 'H']); // type.raw 1 0 0 with type_map H O
    checkFrames(frames, expected.h2o_f32, { positions: 1e-6, energy: 1e-5, forces: 1e-7 });
  });

  it('errors name the file: missing type map, wrong array size', () => {
    const noMap = { ...load('h2o_f32'), typeMapRaw: undefined };
    expect(() => readDeepmdSystem(noMap)).toThrow(/h2o_f32\/type_map.raw.*2 element names/);
    expect(readDeepmdSystem(noMap, { species: ['H', 'O'] })[0].symbols).toEqual(['O', 'H', 'H']);
    const s = load('si8_f64');
    s.typeRaw = '0\n0\n0\n';
    expect(() => readDeepmdSystem(s)).toThrow(/si8_f64\/set.000\/coord.npy.*multiple of 3 x 3 atoms/);
  });

  it('raw text system without sets', () => {
    const sys: DeepmdSystemFiles = { name: 'raw', typeRaw: '0 1', typeMapRaw: 'H\nLi\n', nopbc: false, sets: [], raw: { 'coord.raw': '0 0 0 1.6 0 0\n0 0 0 1.7 0 0\n', 'box.raw': '5 0 0 0 5 0 0 0 5\n5 0 0 0 5 0 0 0 5\n', 'energy.raw': '-1\n-1.1\n' } };
    const frames = readDeepmdSystem(sys);
    expect(frames.map((f) => f.energyEv)).toEqual([-1, -1.1]);
    expect(frames[1].positionsA[3]).toBe(1.7);
    expect(frames[0].forcesEvPerA).toBeUndefined();
  });

  it('export -> import: one system per atom sequence, global type map, sets split where labels change', () => {
    const si = readDeepmdSystem(load('si8_f64'));
    const water = readDeepmdSystem(load('h2o_f32'));
    const unlabelled = makeFrame({ symbols: si[0].symbols, positionsA: si[0].positionsA, cellA: si[0].cellA });
    const frames = [si[0], si[1], unlabelled, si[2], water[0]];
    const out = buildDeepmdSystems(frames, { setSize: 2 });
    expect(out.typeMap).toEqual(['H', 'O', 'Si']);
    expect(out.systems.map((s) => s.dir)).toEqual(['Si8', 'H2O_nopbc']);
    const siFiles = out.systems[0].files;
    expect(Object.keys(siFiles).filter((k) => k.startsWith('set.')).sort()).toEqual([
      'set.000/box.npy', 'set.000/coord.npy', 'set.000/energy.npy', 'set.000/force.npy', 'set.000/virial.npy',
      'set.001/box.npy', 'set.001/coord.npy', // the unlabelled frame: no energy/force/virial files
      'set.002/box.npy', 'set.002/coord.npy', 'set.002/energy.npy', 'set.002/force.npy', 'set.002/virial.npy',
    ]);
    expect(siFiles['type.raw']).toBe('2\n2\n2\n2\n2\n2\n2\n2\n');
    const back = readDeepmdSystem(asFiles('Si8', siFiles));
    expect(back).toHaveLength(4);
    checkFrames([back[0], back[1], back[3]], expected.si8_f64, { positions: 0, energy: 0, forces: 0, stress: 1e-17 });
    expect(back[2].energyEv).toBeUndefined();
    expect(back[2].forcesEvPerA).toBeUndefined();
    const w = readDeepmdSystem(asFiles('H2O', out.systems[1].files));
    expect(w[0].symbols).toEqual(['O', 'H', 'H']);
    expect(Array.from(w[0].forcesEvPerA!)).toEqual(Array.from(water[0].forcesEvPerA!));
    expect(out.systems[1].files.nopbc).toBe('');
  });
});
