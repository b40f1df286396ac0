// Messages between the host and a training worker (one long-lived ML worker per job).
import type { Frame } from '../../src-shared/atoms/frame';
import type { EpochRecordDto } from '../../src-shared/protocol/api';
import type { TrainJobResult, TrainSettings } from '../ml/trainJob';
import type { LearningCurveOptions, LearningCurveResult } from '../ml/learningCurve';

export type ToTrainWorker =
  | {
      type: 'start';
      runId: string;
      runDir: string;
      label: string;
      datasetName: string;
      frames: Frame[];
      validFrames?: Frame[];
      settings: TrainSettings;
      resume: boolean;
    }
  | {
      type: 'learning-curve';
      trainFrames: Frame[];
      testFrames: Frame[];
      options: Omit<LearningCurveOptions, 'log'>;
    }
  | { type: 'stop' };

export type FromTrainWorker =
  | { type: 'log'; message: string }
  | { type: 'epoch'; record: EpochRecordDto; etaMs: number | null; epoch: number }
  | { type: 'step'; epoch: number; step: number; loss: number }
  | { type: 'done'; result: TrainJobResult }
  | { type: 'lc-done'; result: LearningCurveResult }
  | { type: 'error'; message: string };
