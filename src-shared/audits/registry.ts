// The audits as one declarative list (GUIDE §3.5): the CLI's `audit KIND`, the UI's audit picker
// and the docs read names, descriptions and requirements from here. Each audit works on any
// Calculator (classical potential, trained model, Δ-model, committee).
import type { AuditKind } from './report';

export interface AuditEntry {
  kind: AuditKind;
  /** Name on the command line (`atomforge audit NAME`). */
  cliName: string;
  title: string;
  description: string;
  /** Which structures it needs. */
  structures: 'any' | 'crystal' | 'labelled';
  /** Calculator properties it uses. */
  needs: readonly ('energy' | 'forces' | 'stress')[];
  /** Module and equations. */
  reference: string;
}

export const AUDITS: readonly AuditEntry[] = [
  {
    kind: 'symmetry', cliName: 'symmetry', title: 'Symmetry (invariance and equivariance)',
    description: 'Random rotations, reflections, translations, permutations of like atoms and cell re-choices: |ΔE| per atom, force and stress equivariance errors.',
    structures: 'any', needs: ['energy'],
    reference: 'src-shared/audits/symmetry.ts; E(x·M) = E(x), F(x·M) = F(x)·M, σ(x·M) = MᵀσM',
  },
  {
    kind: 'extensivity', cliName: 'extensivity', title: 'Size extensivity',
    description: 'E(A and B far apart) vs E(A) + E(B) for molecules and clusters; n×m×k supercells vs n·m·k·E for crystals.',
    structures: 'any', needs: ['energy'],
    reference: 'src-shared/audits/extensivity.ts',
  },
  {
    kind: 'conservation', cliName: 'forces', title: 'Conservation (forces and stress are energy derivatives)',
    description: 'Forces vs −dE/dh along F/|F| and random directions; stress vs (1/V) dE/dε; absolute and relative errors.',
    structures: 'any', needs: ['energy', 'forces'],
    reference: 'src-shared/audits/conservation.ts; fourth-order central differences',
  },
  {
    kind: 'elastic', cliName: 'elastic', title: 'Elastic constants',
    description: 'Full 6×6 C_ij (GPa, Voigt xx, yy, zz, yz, xz, xy) from ± strains with relaxed internal coordinates; Voigt-Reuss-Hill moduli; cubic C11/C12/C44; stability.',
    structures: 'crystal', needs: ['energy', 'stress'],
    reference: 'src-shared/audits/elastic.ts; C_ij = ∂σ_i/∂ε_j (ASE sign); Hill, Proc. Phys. Soc. A 65, 349 (1952)',
  },
  {
    kind: 'errors', cliName: 'errors', title: 'Per-element and per-group errors',
    description: 'Energy, force and stress MAE/RMSE against labels, per element and per config_type group, flagging systematically failing ones.',
    structures: 'labelled', needs: ['energy'],
    reference: 'src-shared/audits/errorBreakdown.ts',
  },
];

export function auditByCliName(name: string): AuditEntry | undefined {
  return AUDITS.find((a) => a.cliName === name || a.kind === name);
}
