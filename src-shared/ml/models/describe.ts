// One-line, human-readable summary of a model config for the model card and run lists, e.g.
// "Behler-Parrinello network: 9 G2 + 16 G4 per element pair (rc 5 Å, angular 5 Å); MLP 16-16 tanh".
// The full JSON config stays in the card's `config` field; this is what a scientist reads.
import type { SymmetryFunctionConfig } from './symmetryFunctions';

function sfSummary(sf: SymmetryFunctionConfig): string {
  const parts = [`${sf.radial.length} G2`];
  const a = sf.angular;
  if (a) parts.push(`${a.etaPerA2.length * a.zeta.length * a.lambda.length} ${a.kind} (η×ζ×λ = ${a.etaPerA2.length}×${a.zeta.length}×${a.lambda.length})`);
  const p = sf.powerSpectrum;
  if (p) parts.push(`power spectrum (n ${p.radial.length}, l ≤ ${p.lMax}, rc ${p.cutoffA} Å)`);
  return `${parts.join(' + ')} per element (pair), rc ${sf.cutoffA} Å${a && a.cutoffA !== sf.cutoffA ? `, angular ${a.cutoffA} Å` : ''}`;
}

function value(v: unknown): string {
  if (Array.isArray(v)) return v.map(value).join('-');
  if (typeof v === 'number') return String(+v.toPrecision(6));
  return String(v);
}

/** Summary of a model config: symmetry functions condensed, the rest as key=value. */
export function describeModelConfig(label: string, config: unknown): string {
  const c = (config ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  if (c.symmetryFunctions) parts.push(sfSummary(c.symmetryFunctions as SymmetryFunctionConfig));
  if (Array.isArray(c.hidden)) parts.push(`MLP ${c.hidden.join('-')}${c.activation ? ' ' + String(c.activation) : ''}`);
  for (const [k, v] of Object.entries(c)) {
    if (k === 'symmetryFunctions' || k === 'hidden' || (k === 'activation' && Array.isArray(c.hidden))) continue;
    if (v === null || v === undefined || typeof v === 'object' && !Array.isArray(v)) continue;
    parts.push(`${k} ${value(v)}`);
  }
  return parts.length ? `${label}: ${parts.join('; ')}` : label;
}
