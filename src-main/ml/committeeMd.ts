// MD with a committee (issue 6, "live in MD"): the committee mean drives the dynamics; its largest
// per-atom force spread max_i σF,i (eV/Å; committee.ts) is recorded with every thermo row, can stop
// the run above a threshold (DP-GEN's trust level: Zhang et al., PRM 3, 023804 (2019)), and the
// frames above an export threshold are written to RUNDIR/uncertain.xyz for labelling.
// Host side: committeeFiles reads the members' model files; worker side: committeeFromFiles and
// CommitteeWatch (used by workers/mdWorker.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from '../../src-shared/atoms/frame';
import type { Calculator } from '../../src-shared/calculators/calculator';
import type { ThermoSample } from '../../src-shared/md/job';
import { decodeModel } from '../../src-shared/ml/models/serialization';
import { committeeCalculator, isCommittee, type CommitteeCalculator } from '../../src-shared/ml/uncertainty/committee';
import { TrajectoryWriter } from '../node/runFiles';
import { isCommitteeDir, memberDirs } from './committee';
import { modelCalculatorFromSaved, parseModelSpec } from './modelFiles';
import { RUN_FILES } from './runFolder';

export const UNCERTAIN_FRAMES_FILE = 'uncertain.xyz';

export interface MdUncertaintySettings {
  /** Stop the run when max_i σF,i exceeds this (eV/Å). */
  stopAboveEvPerA?: number;
  /** Write frames with max_i σF,i above this (eV/Å) to uncertain.xyz. */
  exportAboveEvPerA?: number;
}

export type ModelFiles = { json: string; bin: Uint8Array };

/** The members' model files of a committee folder (null for a single run folder). Decodes each to refuse damaged files early. */
export function committeeFiles(dir: string): ModelFiles[] | null {
  if (!isCommitteeDir(dir)) return null;
  return memberDirs(dir).map((d) => {
    if (!existsSync(join(d, RUN_FILES.modelJson))) throw new Error(`${d}: no trained model`);
    const f = { json: readFileSync(join(d, RUN_FILES.modelJson), 'utf8'), bin: new Uint8Array(readFileSync(join(d, RUN_FILES.modelBin))) };
    decodeModel(f.json, f.bin);
    return f;
  });
}

/** The committee calculator of a "model:RUNID" spec from its members' files (engine from the spec). */
export async function committeeFromFiles(spec: string, files: ModelFiles[], onNote?: (m: string) => void): Promise<CommitteeCalculator> {
  const ms = parseModelSpec(spec);
  if ('error' in ms) throw new Error(ms.error);
  const members: Calculator[] = [];
  for (let k = 0; k < files.length; k++) members.push(await modelCalculatorFromSaved(decodeModel(files[k].json, files[k].bin), `${ms.runRef} member ${k}`, { engine: ms.engine, onNote }));
  return committeeCalculator(members, { alwaysForces: true, name: `committee of ${files.length} (${ms.runRef})` });
}

/** Per-step committee spread for an MD job: thermo column, stop threshold, uncertain-frame export. */
export class CommitteeWatch {
  private committee: CommitteeCalculator | null;
  private pending: number[] = [];
  private writer: TrajectoryWriter | null = null;
  private stopMsg: string | null = null;
  maxSeen = 0;

  constructor(calc: Calculator, private settings: MdUncertaintySettings, private runDir: string) {
    this.committee = isCommittee(calc) ? calc : null;
    if (!this.committee && (settings.stopAboveEvPerA !== undefined || settings.exportAboveEvPerA !== undefined)) {
      throw new Error('uncertainty thresholds need a committee (train one with "committee members" >= 2)');
    }
  }

  get active(): boolean {
    return this.committee !== null;
  }

  /** max_i σF,i of the last computed structure (NaN without a committee). */
  sigma(): number {
    return this.committee?.lastUncertainty()?.maxForceStdEvPerA ?? NaN;
  }

  onThermo(row: ThermoSample): void {
    if (!this.committee) return;
    const s = this.sigma();
    this.pending.push(s);
    if (s > this.maxSeen) this.maxSeen = s;
    const t = this.settings.stopAboveEvPerA;
    if (t !== undefined && s > t && !this.stopMsg) {
      this.stopMsg = `stopped by the uncertainty alarm: committee force spread ${s.toFixed(4)} eV/Å above ${t} eV/Å at step ${row.step} (${row.timeFs.toFixed(1)} fs)`;
    }
  }

  /** The σ column for the thermo rows flushed since the last call (undefined without a committee). */
  take(): Float64Array | undefined {
    if (!this.committee) return undefined;
    const out = Float64Array.from(this.pending);
    this.pending = [];
    return out;
  }

  onFrame(frame: Frame): void {
    const t = this.settings.exportAboveEvPerA ?? this.settings.stopAboveEvPerA;
    if (!this.committee || t === undefined) return;
    const s = this.sigma();
    if (!(s > t)) return;
    this.writer ??= new TrajectoryWriter(join(this.runDir, UNCERTAIN_FRAMES_FILE));
    // energies and forces of the committee mean are not labels: drop them, keep the geometry
    this.writer.append({ ...frame, energyEv: undefined, forcesEvPerA: undefined, stressEvPerA3: undefined, info: { ...frame.info, committee_force_std_max_ev_per_a: s } });
  }

  shouldStop(): boolean {
    return this.stopMsg !== null;
  }

  /** Close the export file; the stop message (or null) and the exported frames. */
  close(): { message: string | null; uncertainFrames: number; uncertainFramesPath: string | null } {
    const n = this.writer?.frames ?? 0;
    const path = this.writer?.path ?? null;
    this.writer?.close();
    return { message: this.stopMsg, uncertainFrames: n, uncertainFramesPath: path };
  }
}
