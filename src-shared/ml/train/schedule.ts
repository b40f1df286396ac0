// Learning-rate schedules: linear warm-up over the first steps (Goyal et al. 2017), then a decay
// per epoch: constant; cosine to minLr over maxEpochs (Loshchilov & Hutter, SGDR, ICLR 2017);
// exponential lr0·γ^epoch; or reduce-on-plateau (factor after `patience` epochs without a
// relative improvement of the validation loss by `threshold`, as torch.optim.lr_scheduler.
// ReduceLROnPlateau). The state is plain numbers, saved in checkpoints.

export interface ScheduleConfig {
  type: 'constant' | 'cosine' | 'exponential' | 'plateau';
  /** Optimiser steps of linear warm-up from lr/warmupSteps to lr (0: none). */
  warmupSteps?: number;
  /** Floor of the learning rate (cosine, exponential, plateau). */
  minLr?: number;
  /** exponential: factor per epoch. */
  gamma?: number;
  /** plateau: factor on a plateau, epochs to wait, relative improvement that counts. */
  factor?: number;
  patience?: number;
  threshold?: number;
}

export interface ScheduleState {
  /** Learning rate after decay (before warm-up scaling). */
  lr: number;
  plateauBest: number;
  plateauBad: number;
  /** Multiplier on every rate the schedule gives (loss stages' lrFactor; absent = 1). */
  scale?: number;
}

export interface Schedule {
  /** Learning rate for optimiser step `step` (0-based). */
  lrAt(step: number): number;
  /** After epoch `epoch` (0-based) with validation loss `valLoss`. */
  endEpoch(epoch: number, valLoss: number): void;
  state(): ScheduleState;
  load(s: ScheduleState): void;
}

export function createSchedule(lr0: number, config: ScheduleConfig, maxEpochs: number): Schedule {
  const minLr = config.minLr ?? 0;
  const warm = config.warmupSteps ?? 0;
  if (!(lr0 > 0)) throw new Error(`learning rate must be > 0, got ${lr0}`);
  let st: ScheduleState = { lr: lr0, plateauBest: Infinity, plateauBad: 0 };
  return {
    lrAt(step) {
      return (warm > 0 && step < warm ? (st.lr * (step + 1)) / warm : st.lr) * (st.scale ?? 1);
    },
    endEpoch(epoch, valLoss) {
      const e = epoch + 1; // epochs completed
      switch (config.type) {
        case 'constant':
          break;
        case 'cosine':
          st.lr = minLr + 0.5 * (lr0 - minLr) * (1 + Math.cos((Math.PI * Math.min(e, maxEpochs)) / Math.max(1, maxEpochs)));
          break;
        case 'exponential':
          st.lr = Math.max(minLr, lr0 * (config.gamma ?? 0.95) ** e);
          break;
        case 'plateau': {
          const thr = config.threshold ?? 1e-4;
          if (valLoss < st.plateauBest * (1 - thr)) {
            st.plateauBest = valLoss;
            st.plateauBad = 0;
          } else if (++st.plateauBad > (config.patience ?? 10)) {
            st.lr = Math.max(minLr, st.lr * (config.factor ?? 0.5));
            st.plateauBad = 0;
          }
          break;
        }
        default:
          throw new Error(`unknown schedule ${(config as { type: string }).type}`);
      }
    },
    state: () => ({ ...st }),
    load(s) {
      st = { ...s };
    },
  };
}
