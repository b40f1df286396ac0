// Seeded pseudo-random numbers for tests, initial velocities, thermostats and data splits.
// Generator: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
// 2018; prng.di.unimi.it), a 128-bit-state generator that passes BigCrush, seeded through
// splitmix32 so that nearby seeds (0, 1, 2, ...) give unrelated streams. Uniform doubles carry 53
// random bits (two 32-bit outputs), normals use Marsaglia's polar method with a cached spare.
// Same seed -> same sequence on every platform (only 32-bit integer arithmetic via Math.imul).

export interface Rng {
  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number;
  /** Standard normal deviate (mean 0, variance 1). */
  normal(): number;
  /** Uniform double in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [0, n), n >= 1. */
  int(n: number): number;
  /** Raw 32-bit output as an unsigned integer. */
  nextUint32(): number;
}

/** splitmix32 step (Steele, Lea & Flood 2014, 32-bit variant): used only to expand the seed. */
function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let t = state.x ^ (state.x >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  t ^= t >>> 15;
  return t >>> 0;
}

/**
 * A seeded generator. `seed` is any finite number; it is reduced to 32 bits
 * (integers up to 2^53 keep their low 32 bits plus a mix of the high ones).
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`createRng: seed must be finite, got ${seed}`);
  const hi = Math.floor(seed / 4294967296) | 0;
  const init = { x: (Math.floor(seed) ^ Math.imul(hi, 0x85ebca6b)) | 0 };
  let s0 = splitmix32(init) | 0;
  let s1 = splitmix32(init) | 0;
  let s2 = splitmix32(init) | 0;
  let s3 = splitmix32(init) | 0;
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state is the one fixed point

  let spare = 0;
  let hasSpare = false;

  function nextUint32(): number {
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return result >>> 0;
  }

  function next(): number {
    const a = nextUint32() >>> 5; // 27 bits
    const b = nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  function normal(): number {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * next() - 1;
      v = 2 * next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * f;
    hasSpare = true;
    return u * f;
  }

  return {
    next,
    normal,
    nextUint32,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (n) => Math.floor(next() * n),
  };
}

/**
 * A minimal xorshift32 generator (Marsaglia 2003) as a function returning doubles in [0, 1) with 32
 * random bits: for generating synthetic test and benchmark files, where a byte-identical stream for a
 * seed matters and statistical quality does not. Seed 0 is taken as 1. Use createRng for physics.
 */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}
