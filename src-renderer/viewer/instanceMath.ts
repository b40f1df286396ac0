// Instance matrices written straight into Float32Array buffers (column-major, as three.js
// InstancedMesh.instanceMatrix stores them), so hot paths allocate nothing.
// Spheres: uniform scale + translation of a unit sphere. Segments: a unit cylinder/cone whose
// axis runs from y = 0 to y = 1 is mapped onto A -> B with radius r via an orthonormal basis
// (x, y = (B - A)/|B - A|, z = x × y), columns (r x, L y, r z, A); det > 0 keeps face winding.

/** Writes scale(r) then translate(x, y, z) at out[o..o+15]. */
export function writeSphereMatrix(
  out: Float32Array,
  o: number,
  x: number,
  y: number,
  z: number,
  r: number,
): void {
  out[o] = r; out[o + 1] = 0; out[o + 2] = 0; out[o + 3] = 0;
  out[o + 4] = 0; out[o + 5] = r; out[o + 6] = 0; out[o + 7] = 0;
  out[o + 8] = 0; out[o + 9] = 0; out[o + 10] = r; out[o + 11] = 0;
  out[o + 12] = x; out[o + 13] = y; out[o + 14] = z; out[o + 15] = 1;
}

/**
 * Matrix taking the unit segment (0,0,0)-(0,1,0) of radius 1 to A-B with radius r.
 * A zero-length segment gets a zero scale (invisible) at A.
 */
export function writeSegmentMatrix(
  out: Float32Array,
  o: number,
  ax: number,
  ay: number,
  az: number,
  bx: number,
  by: number,
  bz: number,
  r: number,
): void {
  let dx = bx - ax;
  let dy = by - ay;
  let dz = bz - az;
  const len = Math.sqrt(dx * dx + dy * dy + dz * dz);
  if (!(len > 1e-9)) {
    for (let k = 0; k < 12; k++) out[o + k] = 0;
    out[o + 12] = ax; out[o + 13] = ay; out[o + 14] = az; out[o + 15] = 1;
    return;
  }
  dx /= len; dy /= len; dz /= len;
  // helper axis least parallel to d, x = normalize(helper × d)
  let hx = 0, hy = 0, hz = 0;
  if (Math.abs(dx) < 0.9) hx = 1; else hy = 1;
  let xx = hy * dz - hz * dy;
  let xy = hz * dx - hx * dz;
  let xz = hx * dy - hy * dx;
  const xl = Math.sqrt(xx * xx + xy * xy + xz * xz);
  xx /= xl; xy /= xl; xz /= xl;
  // z = x × d
  const zx = xy * dz - xz * dy;
  const zy = xz * dx - xx * dz;
  const zz = xx * dy - xy * dx;
  out[o] = xx * r; out[o + 1] = xy * r; out[o + 2] = xz * r; out[o + 3] = 0;
  out[o + 4] = dx * len; out[o + 5] = dy * len; out[o + 6] = dz * len; out[o + 7] = 0;
  out[o + 8] = zx * r; out[o + 9] = zy * r; out[o + 10] = zz * r; out[o + 11] = 0;
  out[o + 12] = ax; out[o + 13] = ay; out[o + 14] = az; out[o + 15] = 1;
}

/** Applies the column-major 4x4 at m[o..] to point (x, y, z); writes into out[0..2]. */
export function transformPoint(
  out: Float64Array | number[],
  m: Float32Array,
  o: number,
  x: number,
  y: number,
  z: number,
): void {
  out[0] = m[o] * x + m[o + 4] * y + m[o + 8] * z + m[o + 12];
  out[1] = m[o + 1] * x + m[o + 5] * y + m[o + 9] * z + m[o + 13];
  out[2] = m[o + 2] * x + m[o + 6] * y + m[o + 10] * z + m[o + 14];
}
