// Synthetic extended XYZ trajectories for the large-input checks of issue 9 (bench/largeTrajectory.ts
// and largeStream.spec.ts): a few distinct frames in the layout ASE writes (Lattice, Properties with
// species/pos/forces, energy, 9-value stress, pbc), cycled with a per-frame energy so that a stream of
// any length can be produced in constant memory without touching the disk.
import { xorshift32 } from '../../src-shared/space/rng';

export interface SyntheticTrajectory {
  /** Bytes of one frame before its comment line (the atom count line). */
  frameBytes: number;
  atomsPerFrame: number;
  /** The text of frame `index` (comment line with a per-frame energy, eV). */
  frame(index: number): Uint8Array;
}

/** A cubic Si-like box of `atomsPerFrame` atoms with random positions and forces (`variants` distinct bodies). */
export function syntheticTrajectory(atomsPerFrame = 128, variants = 8, seed = 1): SyntheticTrajectory {
  const r = xorshift32(seed);
  const boxA = Math.cbrt(atomsPerFrame * 20);
  const enc = new TextEncoder();
  const bodies: Uint8Array[] = [];
  for (let v = 0; v < variants; v++) {
    const lines: string[] = [];
    for (let a = 0; a < atomsPerFrame; a++) {
      const p = [r() * boxA, r() * boxA, r() * boxA].map((x) => x.toFixed(8).padStart(16));
      const f = [r() - 0.5, r() - 0.5, r() - 0.5].map((x) => x.toFixed(8).padStart(16));
      lines.push(`Si ${p.join(' ')} ${f.join(' ')}\n`);
    }
    bodies.push(enc.encode(lines.join('')));
  }
  const head = (i: number) =>
    `${atomsPerFrame}\nLattice="${boxA.toFixed(6)} 0.0 0.0 0.0 ${boxA.toFixed(6)} 0.0 0.0 0.0 ${boxA.toFixed(6)}" ` +
    `Properties=species:S:1:pos:R:3:forces:R:3 energy=${(-5.4 * atomsPerFrame - (i % 1000) * 1e-3).toFixed(8)} ` +
    `stress="0.001 0.0 0.0 0.0 0.001 0.0 0.0 0.0 0.001" pbc="T T T"\n`;
  return {
    atomsPerFrame,
    frameBytes: head(0).length + bodies[0].length,
    frame(index: number) {
      const h = enc.encode(head(index));
      const body = bodies[index % variants];
      const out = new Uint8Array(h.length + body.length);
      out.set(h, 0);
      out.set(body, h.length);
      return out;
    },
  };
}

/** Chunks of about `chunkBytes` holding whole frames, `totalBytes` in all (at least one frame). */
export function* syntheticChunks(t: SyntheticTrajectory, totalBytes: number, chunkBytes = 1 << 20): Generator<Uint8Array> {
  let sent = 0;
  let index = 0;
  while (sent < totalBytes || index === 0) {
    const parts: Uint8Array[] = [];
    let n = 0;
    while (n < chunkBytes && (sent + n < totalBytes || index === 0)) {
      const f = t.frame(index++);
      parts.push(f);
      n += f.length;
    }
    const chunk = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      chunk.set(p, o);
      o += p.length;
    }
    sent += n;
    yield chunk;
  }
}
