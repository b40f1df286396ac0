// Messages between the host process and an MD worker thread.
import type { MdSystem } from '../../src-shared/md/state';
import type { MdJobConfig } from '../../src-shared/md/job';
import type { MsdResultDto, RdfResultDto, StudyPoint, StudyResult, ThermoColumns } from '../../src-shared/protocol/api';
import type { Frame } from '../../src-shared/atoms/frame';
import type { MdUncertaintySettings } from '../ml/committeeMd';

export interface WorkerSystem {
  numbers: Int32Array;
  symbols: string[];
  positionsA: Float64Array;
  cellA: Float64Array | null;
  pbc: [boolean, boolean, boolean];
  velocitiesAPerFs?: Float64Array;
}

/** A potential spec (with its file's text), or a trained model's files ("model:RUNID"). */
export interface WorkerPotential {
  spec: string;
  fileText?: string;
  model?: { json: string; bin: Uint8Array };
  /** A committee's members (issue 6): the mean drives MD, its spread is watched. */
  committee?: { json: string; bin: Uint8Array }[];
}

export type ToMdWorker =
  | {
      type: 'start';
      system: WorkerSystem;
      potential: WorkerPotential;
      config: MdJobConfig;
      /** Folder for trajectory.xyz, thermo.csv. */
      runDir: string;
      /** Committee runs: stop / export thresholds on the force spread. */
      uncertainty?: MdUncertaintySettings;
    }
  | {
      type: 'study';
      system: WorkerSystem;
      potential: WorkerPotential;
      temperatureK: number;
      dtFs: number[];
      durationFs: number;
      seed: number;
    }
  | { type: 'rdf'; frames: Frame[]; rMaxA?: number; bins?: number }
  | { type: 'msd'; frames: Frame[]; frameIntervalFs?: number; removeDrift?: boolean }
  | { type: 'audit'; kind: 'symmetry' | 'extensivity' | 'conservation' | 'elastic' | 'errors'; frames: Frame[]; potential: WorkerPotential; seed: number }
  | { type: 'drift-study'; system: WorkerSystem; potential: WorkerPotential; temperatureK: number; dtFs: number[]; durationFs: number; seed: number; noiseEvPerA: number; biasFraction: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

export type FromMdWorker =
  | { type: 'started'; potentialName: string; integratorName: string }
  | { type: 'thermo'; rows: ThermoColumns }
  | { type: 'frame'; step: number; timeFs: number; positionsA: Float32Array; cellA: number[] | null }
  | { type: 'progress'; step: number; steps: number; atomStepsPerS: number; etaS: number | null }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'done'; status: 'finished' | 'stopped' | 'failed'; steps: number; message: string | null; framesWritten: number; uncertainFramesPath?: string | null }
  | { type: 'study-point'; point: StudyPoint; index: number; total: number }
  | { type: 'study-done'; result: Omit<StudyResult, 'studyId'> }
  | { type: 'rdf-done'; result: RdfResultDto }
  | { type: 'msd-done'; result: MsdResultDto }
  | { type: 'audit-done'; report: Record<string, unknown> }
  | { type: 'drift-done'; result: Record<string, unknown> }
  | { type: 'error'; message: string };

export type { MdSystem };
