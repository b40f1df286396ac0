// 'train.backends' through the host API: every backend is started in its own training worker and
// timed on the user's model; the ones this machine lacks say why (tfjs-node not installed, no
// WebGPU adapter), and a second call is answered from the cache.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTsWorker } from '../node/tsWorker';
import { cleanupHomes, createTestHost } from '../../test-support/hostHarness';

afterAll(cleanupHomes);

describe('train.backends', () => {
  it('lists tensorflow, webgpu, wasm and cpu with availability and measured steps/s', async () => {
    let spawned = 0;
    const { b, conn } = createTestHost({ train: () => (spawned++, spawnTsWorker(new URL('../workers/trainWorker.ts', import.meta.url))) });
    const params = { probe: true, modelType: 'bpnn', modelConfig: { cutoffA: 4, hidden: [8] } };
    const list = await b.dispatch('train.backends', params, conn);
    expect(list.map((x) => x.backend)).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    expect(spawned).toBe(4); // one fresh worker per backend
    for (const x of list) {
      if (x.available) {
        expect(x.stepsPerSecond, `${x.backend}: ${x.error}`).toBeGreaterThan(0);
        expect(x.msPerStep! * x.stepsPerSecond!).toBeCloseTo(1000, 6);
        expect(x.atomsPerStep).toBe(128); // 4 frames of 32 atoms
      } else {
        expect(x.stepsPerSecond).toBeNull();
        expect(x.detail.length).toBeGreaterThan(10);
      }
    }
    const by = Object.fromEntries(list.map((x) => [x.backend, x]));
    expect(by.wasm.available && by.cpu.available).toBe(true);
    if (!by.webgpu.available) expect(by.webgpu.detail).toMatch(/no WebGPU adapter|not available/);
    else expect(by.webgpu.adapter).toBeTruthy();
    if (!by.tensorflow.available) expect(by.tensorflow.detail).toMatch(/not installed|tensorflow/);
    console.info(list.map((x) => `${x.backend}: ${x.available ? `${x.stepsPerSecond!.toFixed(1)} steps/s (${x.detail})` : `unavailable: ${x.detail.slice(0, 80)}`}`).join('\n'));
    const again = await b.dispatch('train.backends', params, conn);
    expect(again).toEqual(list);
    expect(spawned).toBe(4);
    b.dispose();
  });
});
