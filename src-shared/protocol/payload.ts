// Conversions from core objects to the transport shapes of api.ts: the per-frame index of a dataset
// (columnar typed arrays) and a single frame for the viewer (float32 positions for the GPU; energies
// and stresses stay float64 numbers for display).
import type { Frame } from '../atoms/frame';
import { configTypeOf } from '../atoms/summary';
import { FRAME_FLAG, type FrameIndex, type FramePayload, type PerAtomColumn } from './api';

export function buildFrameIndex(frames: Frame[]): FrameIndex {
  const n = frames.length;
  const atoms = new Int32Array(n);
  const energyEv = new Float64Array(n);
  const flags = new Uint8Array(n);
  const group = new Int32Array(n);
  const groups: string[] = [];
  const groupIds = new Map<string, number>();
  for (let k = 0; k < n; k++) {
    const f = frames[k];
    atoms[k] = f.symbols.length;
    energyEv[k] = f.energyEv ?? NaN;
    flags[k] =
      (f.energyEv !== undefined ? FRAME_FLAG.energy : 0) |
      (f.forcesEvPerA ? FRAME_FLAG.forces : 0) |
      (f.stressEvPerA3 ? FRAME_FLAG.stress : 0) |
      (f.cellA ? FRAME_FLAG.cell : 0) |
      (f.pbc[0] || f.pbc[1] || f.pbc[2] ? FRAME_FLAG.periodic : 0);
    const g = configTypeOf(f);
    if (g === null) group[k] = -1;
    else {
      let id = groupIds.get(g);
      if (id === undefined) {
        id = groups.length;
        groups.push(g);
        groupIds.set(g, id);
      }
      group[k] = id;
    }
  }
  return { atoms, energyEv, flags, group, groups };
}

export function buildFramePayload(datasetId: string, index: number, f: Frame): FramePayload {
  const columns: PerAtomColumn[] = [];
  for (const [name, col] of Object.entries(f.arrays)) {
    columns.push({
      name,
      width: col.width,
      kind: col.kind,
      values: col.kind === 'string' ? col.data.slice() : Float32Array.from(col.data as ArrayLike<number>),
    });
  }
  return {
    datasetId,
    index,
    symbols: f.symbols.slice(),
    numbers: f.numbers.slice(),
    positionsA: Float32Array.from(f.positionsA),
    cellA: f.cellA ? Array.from(f.cellA) : null,
    pbc: [...f.pbc] as [boolean, boolean, boolean],
    energyEv: f.energyEv ?? null,
    forcesEvPerA: f.forcesEvPerA ? Float32Array.from(f.forcesEvPerA) : null,
    stressEvPerA3: f.stressEvPerA3 ? Array.from(f.stressEvPerA3) : null,
    info: structuredClone(f.info),
    columns,
  };
}
