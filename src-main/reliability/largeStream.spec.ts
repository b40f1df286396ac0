// Large inputs (issue 9): streaming a long extended XYZ trajectory through readStream
// (src-shared/io/read.ts) with collect: false keeps memory bounded, independent of the length.
// The stream is generated in memory (never touches the disk). Memory is measured as V8 heap +
// external memory (array buffers included) right after a forced GC, sampled every 500 frames during the read:
// that is what the reader retains, not garbage waiting for a collection. A control read that
// keeps its frames (collect: true) shows the measure does see retained frames.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { extxyzFormat } from '../../src-shared/io/formats/extxyz';
import { readStream } from '../../src-shared/io/read';
import { syntheticChunks, syntheticTrajectory } from './syntheticTrajectory';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
setFlagsFromString('--no-expose-gc');

const MB = 1 << 20;
const retained = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

async function streamRead(totalBytes: number, collect: boolean) {
  const traj = syntheticTrajectory(128, 8, 7);
  const base = retained();
  let peak = 0;
  let frames = 0;
  const res = await readStream(extxyzFormat, syntheticChunks(traj, totalBytes), {
    fileName: 'synthetic.extxyz',
    collect,
    onFrame: (f, i) => {
      frames++;
      if (f.numbers.length !== 128) throw new Error(`frame ${i}: ${f.numbers.length} atoms`);
      if (i % 500 === 0) peak = Math.max(peak, retained() - base);
    },
  });
  peak = Math.max(peak, retained() - base);
  return { res, frames, growthBytes: peak, frameBytes: traj.frameBytes };
}

describe('streaming a large extended XYZ trajectory', () => {
  it('keeps memory bounded: 4x the data does not retain more', async () => {
    const small = await streamRead(24 * MB, false);
    const large = await streamRead(96 * MB, false);
    expect(small.res.ok && large.res.ok).toBe(true);
    expect(large.res.frames).toEqual([]);
    // Every frame was parsed: about totalBytes / frameBytes of them.
    expect(large.frames).toBeGreaterThanOrEqual(Math.floor((96 * MB) / large.frameBytes));
    expect(large.res.frameCount).toBe(large.frames);
    // Bounded: well under what keeping the frames would cost (control below), and not growing with size.
    expect(large.growthBytes).toBeLessThan(40 * MB);
    expect(large.growthBytes).toBeLessThan(small.growthBytes + 8 * MB);
  }, 60_000);

  it('control: the same measure sees frames that are kept (collect: true)', async () => {
    const kept = await streamRead(48 * MB, true);
    expect(kept.res.ok).toBe(true);
    expect(kept.res.frames.length).toBe(kept.frames);
    // 128 atoms x (3 positions + 3 forces) float64 per frame at least.
    const floor = kept.frames * 128 * 6 * 8;
    expect(floor).toBeGreaterThan(16 * MB);
    expect(kept.growthBytes).toBeGreaterThan(floor);
  }, 60_000);
});
