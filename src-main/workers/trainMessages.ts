// Messages between the host and a training worker (one long-lived ML worker per job).
import type { Frame } from '../../src-shared/atoms/frame';
import type { EpochRecordDto, Results } from '../../src-shared/protocol/api';
import type { TrainJobResult, TrainSettings } from '../ml/trainJob';
import type { LearningCurveOptions, LearningCurveResult } from '../ml/learningCurve';
import type { UncertaintyRequest } from '../ml/uncertaintyJobs';
import type { PropertyClassifyParams, PropertyStudyParams } from '../property/propertyJob';
import type { PropertyStudyDto } from '../../src-shared/protocol/propertyApi';
import type { StudyProgress } from '../../src-shared/property/study';
import type { BackendInfoDto, BackendProbeRequest } from '../ml/backendProbe';

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
  /** Property-model study (issue 7, src-main/property/propertyJob.ts). */
  | { type: 'property-study'; frames: Frame[]; params: PropertyStudyParams }
  | { type: 'property-classify'; frames: Frame[]; params: PropertyClassifyParams }
  /** Committee training, domain shift, per-atom values, loss landscape (issue 6, ml/uncertaintyJobs.ts). */
  | { type: 'uncertainty'; request: UncertaintyRequest }
  /** Backend probe (issue 10, ml/backendProbe.ts): start `backend` in this fresh worker, time a few steps. */
  | { type: 'probe'; request: BackendProbeRequest }
  | { type: 'stop' };

export type FromTrainWorker =
  | { type: 'log'; message: string }
  | { type: 'epoch'; record: EpochRecordDto; etaMs: number | null; epoch: number }
  | { type: 'step'; epoch: number; step: number; loss: number }
  | { type: 'done'; result: TrainJobResult }
  | { type: 'lc-done'; result: LearningCurveResult }
  | { type: 'uncertainty-done'; result: unknown }
  | { type: 'property-progress'; progress: StudyProgress }
  | { type: 'property-done'; result: PropertyStudyDto }
  | { type: 'property-classified'; result: Results['property.classify'] }
  | { type: 'probe-done'; result: BackendInfoDto }
  | { type: 'error'; message: string };
