// Trajectory analysis as the UI and CLI request it: g(r) with a sensible default range (just under
// half the smallest cell height, the largest range the minimum-image count allows) and MSD with
// the diffusion coefficient, the frame interval taken from the frames' time_fs when not given.
import type { Frame } from '../atoms/frame';
import { cellHeightsA } from '../space/cell';
import { radialDistribution } from './rdf';
import { diffusionCoefficient, meanSquaredDisplacement } from './msd';
import type { MsdResultDto, RdfResultDto } from '../protocol/api';

export function defaultRdfRangeA(cellA: Float64Array): number {
  const h = cellHeightsA(new Float64Array(3), cellA);
  return 0.4999 * Math.min(h[0], h[1], h[2]);
}

export function rdfOfFrames(frames: readonly Frame[], rMaxA?: number, bins = 200): RdfResultDto {
  if (frames.length === 0) throw new Error('no frames');
  const f0 = frames[0];
  if (!f0.cellA || !f0.pbc.every(Boolean)) throw new Error('g(r) needs periodic frames with a cell');
  const n = f0.numbers.length;
  if (frames.some((f) => f.numbers.length !== n)) throw new Error('g(r) over a trajectory needs the same atoms in every frame');
  const r = rMaxA ?? Math.min(...frames.map((f) => defaultRdfRangeA(f.cellA!)));
  const res = radialDistribution(frames.map((f) => ({ positionsA: f.positionsA, cellA: f.cellA, pbc: f.pbc })), { rMaxA: r, nBins: bins, numbers: f0.numbers });
  return { frames: res.frames, rMaxA: r, rA: res.rA, g: res.g, coordination: res.coordination, partials: res.partials.map((p) => ({ label: p.label, g: p.g })), densityPerA3: res.densityPerA3 };
}

export function frameIntervalFromInfo(frames: readonly Frame[]): number | null {
  if (frames.length < 2) return null;
  const t0 = frames[0].info['time_fs'];
  const t1 = frames[1].info['time_fs'];
  return typeof t0 === 'number' && typeof t1 === 'number' && t1 > t0 ? t1 - t0 : null;
}

export function msdOfFrames(frames: readonly Frame[], frameIntervalFs?: number, removeDrift = false): MsdResultDto {
  if (frames.length < 3) throw new Error('MSD needs at least 3 frames');
  const n = frames[0].numbers.length;
  if (frames.some((f) => f.numbers.length !== n)) throw new Error('MSD needs the same atoms in every frame');
  const dt = frameIntervalFs ?? frameIntervalFromInfo(frames);
  if (dt === null || !(dt > 0)) throw new Error('the frames carry no time_fs: give the time between frames (fs)');
  const res = meanSquaredDisplacement(frames.map((f) => ({ positionsA: f.positionsA, cellA: f.cellA, pbc: f.pbc })), { frameIntervalFs: dt, removeDrift, numbers: frames[0].numbers });
  const D = diffusionCoefficient(res);
  return { frames: frames.length, frameIntervalFs: dt, lagFs: res.lagFs, msdA2: res.msdA2, dA2PerPs: D.dA2PerPs, dStdErrA2PerPs: D.dStdErrA2PerPs, dCm2PerS: D.dCm2PerS, fitFromFs: D.fitFromFs, fitToFs: D.fitToFs };
}
