// One entry point for the audits as the app runs them (UI worker): the audit kind, a calculator and
// the frames chosen by the host; returns the audit's JSON report.
import type { Frame } from '../atoms/frame';
import type { Calculator } from '../calculators/calculator';
import { conservationAudit } from './conservation';
import { elasticAudit } from './elastic';
import { errorBreakdown } from './errorBreakdown';
import { extensivityAudit } from './extensivity';
import { symmetryAudit } from './symmetry';

export type AuditKindId = 'symmetry' | 'extensivity' | 'conservation' | 'elastic' | 'errors';

export function runAudit(kind: AuditKindId, calc: Calculator, frames: readonly Frame[], seed = 1): unknown {
  if (frames.length === 0) throw new Error('no structures to audit');
  switch (kind) {
    case 'symmetry':
      return symmetryAudit(calc, frames, { seed });
    case 'extensivity':
      return extensivityAudit(calc, frames, {});
    case 'conservation':
      return conservationAudit(calc, frames, { seed });
    case 'elastic':
      return elasticAudit(calc, frames[0], {});
    case 'errors':
      return errorBreakdown(calc, frames, {});
  }
}
