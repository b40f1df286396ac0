// Float64x2 (WebAssembly SIMD) elementary functions for the kernels, AssemblyScript.
//   vexp(x): exp by Cody-Waite reduction x = k ln2 + r, |r| <= ln2/2, a degree-12 Taylor polynomial
//            (truncation < 2e-16 relative) and 2^k built in the exponent bits; x clamped to
//            [-708, 709], and exactly 0 below -700 (e^-700 ≈ 1e-304: products would go subnormal).
//   vcutoff(r, rc): the cosine cutoff fc = ½(cos(πr/rc) + 1) and dfc/dr, from
//            cos(πu) = -sin(π(u - ½)), sin(πu) = cos(π(u - ½)), odd/even Taylor polynomials on
//            |π(u - ½)| <= π/2 (error < 3e-16); lanes with r >= rc give 0 and 0.
// All functions are pure and inlined; the polynomials are evaluated by Horner's rule with separate
// multiply and add (no FMA: relaxed SIMD is not on by default in Node 20).

// @ts-nocheck (AssemblyScript)

const LOG2E: f64 = 1.4426950408889634;
const LN2HI: f64 = 6.93147180369123816490e-01;
const LN2LO: f64 = 1.90821492927058770002e-10;

@inline export function vexp(x0: v128): v128 {
  const x = f64x2.min(f64x2.max(x0, f64x2.splat(-708.0)), f64x2.splat(709.0));
  const kf = f64x2.nearest(f64x2.mul(x, f64x2.splat(LOG2E)));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(kf, f64x2.splat(LN2HI))), f64x2.mul(kf, f64x2.splat(LN2LO)));
  let p = f64x2.splat(2.08767569878680989792e-09); // 1/12!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.50521083854417187751e-08)); // 1/11!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.75573192239858906526e-07)); // 1/10!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.75573192239858906526e-06)); // 1/9!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.48015873015873015873e-05)); // 1/8!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.98412698412698412698e-04)); // 1/7!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.38888888888888888889e-03)); // 1/6!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(8.33333333333333333333e-03)); // 1/5!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(4.16666666666666666667e-02)); // 1/4!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.66666666666666666667e-01)); // 1/3!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(kf));
  const scale = i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
  // below -700 return exactly 0 (not ~1e-305: products of such values go subnormal, which is slow)
  return v128.and(f64x2.mul(p, scale), f64x2.gt(x0, f64x2.splat(-700.0)));
}

/** sin(y) for |y| <= π/2 (odd Taylor series to y^19). */
@inline export function vsinHalf(y: v128): v128 {
  const y2 = f64x2.mul(y, y);
  let p = f64x2.splat(8.22063524662432971696e-18); // 1/19!
  p = f64x2.sub(f64x2.mul(p, y2), f64x2.splat(2.81145725434552076319e-15)); // -1/17!
  p = f64x2.add(f64x2.mul(p, y2), f64x2.splat(7.64716373181981647590e-13)); // 1/15!
  p = f64x2.sub(f64x2.mul(p, y2), f64x2.splat(1.60590438368216145994e-10)); // -1/13!
  p = f64x2.add(f64x2.mul(p, y2), f64x2.splat(2.50521083854417187751e-08)); // 1/11!
  p = f64x2.sub(f64x2.mul(p, y2), f64x2.splat(2.75573192239858906526e-06)); // -1/9!
  p = f64x2.add(f64x2.mul(p, y2), f64x2.splat(1.98412698412698412698e-04)); // 1/7!
  p = f64x2.sub(f64x2.mul(p, y2), f64x2.splat(8.33333333333333333333e-03)); // -1/5!
  p = f64x2.add(f64x2.mul(p, y2), f64x2.splat(1.66666666666666666667e-01)); // 1/3! (subtracted below)
  return f64x2.sub(y, f64x2.mul(f64x2.mul(p, y2), y));
}

/** cos(y) for |y| <= π/2 (even Taylor series to y^20). */
@inline export function vcosHalf(y: v128): v128 {
  const y2 = f64x2.mul(y, y);
  let p = f64x2.splat(4.11031762331216485848e-19); // 1/20!
  p = f64x2.sub(f64x2.mul(p, y2), f64x2.splat(1.56192069685862264622e-16)); // -1/18!
  p = f64x2.add(f64x2.mul(p, y2), f64x2.splat(4.77947733238738529744e-14)); // 1/16!
  p = f64x2.sub(f64x2.mul(p, y2), f64x2.splat(1.14707455977297247139e-11)); // -1/14!
  p = f64x2.add(f64x2.mul(p, y2), f64x2.splat(2.08767569878680989792e-09)); // 1/12!
  p = f64x2.sub(f64x2.mul(p, y2), f64x2.splat(2.75573192239858906526e-07)); // -1/10!
  p = f64x2.add(f64x2.mul(p, y2), f64x2.splat(2.48015873015873015873e-05)); // 1/8!
  p = f64x2.sub(f64x2.mul(p, y2), f64x2.splat(1.38888888888888888889e-03)); // -1/6!
  p = f64x2.add(f64x2.mul(p, y2), f64x2.splat(4.16666666666666666667e-02)); // 1/4!
  p = f64x2.sub(f64x2.mul(p, y2), f64x2.splat(0.5));
  return f64x2.add(f64x2.mul(p, y2), f64x2.splat(1.0));
}

/** Results of vcutoff (globals: AssemblyScript has no tuples). */
export let cutFc: v128 = f64x2.splat(0.0);
export let cutDfc: v128 = f64x2.splat(0.0);

/** Cosine cutoff of the lanes of r into cutFc and (when `deriv`) cutDfc; 0 where r >= rc. */
@inline export function vcutoff(r: v128, rc: f64, deriv: bool): void {
  const y = f64x2.mul(f64x2.sub(f64x2.mul(r, f64x2.splat(1.0 / rc)), f64x2.splat(0.5)), f64x2.splat(Math.PI));
  const inside = f64x2.lt(r, f64x2.splat(rc));
  cutFc = v128.and(f64x2.mul(f64x2.splat(0.5), f64x2.sub(f64x2.splat(1.0), vsinHalf(y))), inside);
  if (deriv) cutDfc = v128.and(f64x2.mul(f64x2.splat(-0.5 * Math.PI / rc), vcosHalf(y)), inside);
}
