// Fuzzing every reader in the format registry (issue 9) with a fixed seed: mutated copies of
// valid files per format (64 of them) must each end in data with finite positions or in a located error (file,
// line, what was expected), never in an exception, an internal reader error or a hang. The larger
// run (>= 1,000 per format, any seed) is bench/fuzz.ts.
import { describe, expect, it } from 'vitest';
import { cpuClockMs, fuzzFixturesFor } from '../../../test-support/fuzzFixtures';
import { createRng } from '../../space/rng';
import { readText } from '../read';
import { FORMATS } from '../registry';
import { countLines, frameProblem, fuzzFormat, resultProblem, runCase } from './fuzzHarness';
import { OPERATORS, mutate } from './mutate';

const SEED = 20240909;
const COUNT = 64;
const readable = FORMATS.filter((f) => f.read);

describe('fuzz harness', () => {
  it('mutations are reproducible from the seed and every operator runs on an empty file', () => {
    const b = new TextEncoder().encode('2\nc\nH 0 0 0\nH 0 0 0.74\n');
    expect(mutate(b, 7)).toEqual(mutate(b, 7));
    for (const [name, op] of Object.entries(OPERATORS)) {
      expect(() => op(new Uint8Array(0), createRng(3)), name).not.toThrow();
    }
  });

  it('flags NaN positions, mislocated errors and internal errors', () => {
    const xyz = readable.find((f) => f.name === 'extxyz')!;
    const nan = readText(xyz, '1\nc\nH nan 0 0\n', { fileName: 'n.xyz' });
    // The reader refuses non-finite positions (the contract); were it to accept them, the checker flags it.
    expect(nan.ok).toBe(false);
    const fake = { ...nan, ok: true as const, frames: [{ symbols: ['H'], numbers: Int32Array.of(1), positionsA: Float64Array.of(NaN, 0, 0), cellA: null, pbc: [false, false, false] as [boolean, boolean, boolean], info: {}, arrays: {} }] };
    expect(frameProblem(fake.frames[0])).toMatch(/non-finite/);
    const err = { ...nan, ok: false as const, error: { file: 'n.xyz', line: 9, expected: 'x', message: 'n.xyz:9: expected x' } };
    expect(resultProblem(err, 'n.xyz', 3)).toMatch(/outside/);
    expect(resultProblem({ ...err, error: { ...err.error, line: 1, message: 'n.xyz:1: Internal reader error: boom' } }, 'n.xyz', 3)).toMatch(/internal/);
    expect(countLines(new TextEncoder().encode('a\nb'))).toBe(2);
  });
});

describe.each(readable.map((f) => [f.name, f] as const))('fuzz %s', (name, format) => {
  const fixtures = fuzzFixturesFor(name);

  it('reads its unmutated fixtures', () => {
    for (const fx of fixtures) {
      const c = runCase(format, fx.bytes, fx.name, fx.options, { clock: cpuClockMs });
      expect(c.verdict, `${fx.name}: ${c.detail} ${c.reason ?? ''}`).toBe('ok');
    }
  });

  it(`${COUNT} mutations end in data or a located error`, async () => {
    const stats = await fuzzFormat(format, fixtures, { seed: SEED, count: COUNT, clock: cpuClockMs });
    const report = stats.failures
      .slice(0, 5)
      .map((f) => `#${f.index} ${f.fixture} seed=${f.seed} [${f.mutation}]: ${f.reason.split('\n').slice(0, 4).join(' | ')}`)
      .join('\n');
    expect(stats.failure, report).toBe(0);
    expect(stats.ok + stats.error).toBe(COUNT);
  });
});
