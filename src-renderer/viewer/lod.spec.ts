import { describe, expect, it } from 'vitest';
import { BONDS_MAX_ATOMS, icosahedronTriangles, lodNote, meshDetail } from './lod';

describe('meshDetail', () => {
  it('gets coarser (never finer) as the atom count grows', () => {
    let prev = meshDetail(1);
    for (const n of [10, 100, 500, 501, 2000, 2001, 10_000, 20_000, 20_001, 1e6]) {
      const d = meshDetail(n);
      expect(d.sphereDetail).toBeLessThanOrEqual(prev.sphereDetail);
      expect(d.cylinderSegments).toBeLessThanOrEqual(prev.cylinderSegments);
      prev = d;
    }
  });

  it('keeps 10k atoms under ~2M sphere triangles and small molecules round', () => {
    expect(10_000 * icosahedronTriangles(meshDetail(10_000).sphereDetail)).toBeLessThanOrEqual(2e6);
    expect(icosahedronTriangles(meshDetail(30).sphereDetail)).toBeGreaterThanOrEqual(320);
  });

  it('counts icosahedron triangles as three.js builds them', () => {
    expect(icosahedronTriangles(0)).toBe(20);
    expect(icosahedronTriangles(1)).toBe(80);
    expect(icosahedronTriangles(3)).toBe(320);
  });

  it('keeps 100k atoms at ~2M sphere triangles, with a note naming what is dropped', () => {
    expect(100_000 * icosahedronTriangles(meshDetail(100_000).sphereDetail)).toBeLessThanOrEqual(2e6);
    expect(lodNote(100, true)).toBeNull();
    expect(lodNote(BONDS_MAX_ATOMS, true)).toBeNull();
    expect(lodNote(BONDS_MAX_ATOMS + 1, false)).toBe('20,001 atoms: coarse spheres (level of detail)');
    expect(lodNote(100_000, true)).toBe('100,000 atoms: bonds hidden above 20,000 atoms, coarse spheres (level of detail)');
    expect(lodNote(100_000, false)).toBe('100,000 atoms: coarse spheres (level of detail)');
  });
});
