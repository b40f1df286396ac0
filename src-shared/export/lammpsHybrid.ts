// Several exported pair styles summed in LAMMPS: `pair_style hybrid/overlay` (doc:
// lammps.org/pair_hybrid.html), e.g. a Δ-model = baseline potential (table, eam/alloy, sw) +
// learned correction (hdnnp). Each part's lines ("pair_style STYLE ARGS", "pair_coeff I J REST")
// become one `pair_style hybrid/overlay STYLE1 ARGS1 STYLE2 ARGS2 ...` and
// `pair_coeff I J STYLE REST` lines. Energies, forces and virials of overlaid styles add.

/** hybrid/overlay lines for the parts (each: the pair_style line first, then its pair_coeff lines). */
export function hybridOverlay(parts: readonly (readonly string[])[]): string[] {
  const styles: string[] = [];
  const coeffs: string[] = [];
  for (const lines of parts) {
    const head = /^pair_style\s+(\S+)(.*)$/.exec(lines[0] ?? '');
    if (!head) throw new Error(`hybridOverlay: a part must start with its pair_style line, got "${lines[0]}"`);
    const style = head[1];
    if (styles.some((s) => s.split(/\s+/)[0] === style)) throw new Error(`hybridOverlay: ${style} appears twice`);
    styles.push(`${style}${head[2]}`);
    for (const l of lines.slice(1)) {
      const m = /^pair_coeff\s+(\S+)\s+(\S+)\s*(.*)$/.exec(l);
      if (!m) throw new Error(`hybridOverlay: expected a pair_coeff line, got "${l}"`);
      coeffs.push(`pair_coeff ${m[1]} ${m[2]} ${style}${m[3] ? ' ' + m[3] : ''}`);
    }
  }
  return [`pair_style hybrid/overlay ${styles.join(' ')}`, ...coeffs];
}
