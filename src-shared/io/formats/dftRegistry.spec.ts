// The DFT-output and training-data formats in the registry: each fixture is recognised from its
// usual file name and, renamed, from its content alone (so `info` and `convert` need no --format),
// streams in tiny chunks with the same frames, and converts to extended XYZ and back without loss
// of the labels extxyz holds (what `convert` does).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readText } from '../read';
import { detectFormat, FORMATS, formatByName } from '../registry';
import { checkFrames, readInChunks, readOrThrow, type ExpectedFrame } from './dftTesting';
import { extxyzFormat } from './extxyz';

const DIR = fileURLToPath(new URL('../../../fixtures/io/dft/', import.meta.url));

// fixture, format, recognised from content alone (n2p2-bohr cannot be: the units are not in the file)
const CASES: [string, string, boolean][] = [
  ['vasp/OUTCAR', 'vasp-out', true],
  ['vasp/vasprun.xml', 'vasp-xml', true],
  ['vasp/XDATCAR', 'vasp-xdatcar', true],
  ['vasp/XDATCAR_npt', 'vasp-xdatcar', true],
  ['qe/si_relax.pwo', 'espresso-out', true],
  ['qe/si_vcrelax.pwo', 'espresso-out', true],
  ['qe/si_md.pwo', 'espresso-out', true],
  ['cp2k/si8_sp.out', 'cp2k-out', true],
  ['cp2k/h2o_sp.out', 'cp2k-out', true],
  ['cp2k/si8_md.out', 'cp2k-out', true],
  ['gpaw/si2_pw.txt', 'gpaw-out', true],
  ['gpaw/h2_relax.txt', 'gpaw-out', true],
  ['xtb/gradient', 'turbomole-gradient', true],
  ['n2p2/caf2_ev/input.data', 'n2p2', true],
];

describe('DFT formats in the registry', () => {
  it('are registered with readers; writers where the format is a training format', () => {
    for (const name of ['vasp-out', 'vasp-xml', 'vasp-xdatcar', 'espresso-out', 'cp2k-out', 'gpaw-out', 'turbomole-gradient', 'n2p2', 'n2p2-bohr']) {
      const f = formatByName(name);
      expect(f?.read, name).toBeTypeOf('function');
      expect(FORMATS.filter((x) => x.name === name)).toHaveLength(1);
    }
    expect(formatByName('n2p2')!.write).toBeTypeOf('function');
    expect(formatByName('n2p2-bohr')!.write).toBeTypeOf('function');
  });

  for (const [file, name, byContent] of CASES) {
    it(`${file}: detected as ${name}; 13-byte chunks give the same frames; extxyz round trip`, async () => {
      const bytes = new Uint8Array(readFileSync(DIR + file));
      const head = new TextDecoder().decode(bytes.subarray(0, 8192));
      const byName = detectFormat(file, head);
      expect('name' in byName && byName.name).toBe(name);
      if (byContent) {
        const renamed = detectFormat('upload.bin', head);
        expect('name' in renamed && renamed.name).toBe(name);
      }
      const fmt = formatByName(name)!;
      const whole = readOrThrow(fmt, bytes, file);
      const chunked = await readInChunks(fmt, bytes, 13, file);
      expect(chunked.ok).toBe(true);
      const asExpected: ExpectedFrame[] = whole.frames.map((f) => ({
        symbols: f.symbols,
        positions: Array.from(f.positionsA),
        cell: f.cellA ? Array.from(f.cellA) : null,
        pbc: f.pbc,
        energy: f.energyEv ?? null,
        forces: f.forcesEvPerA ? Array.from(f.forcesEvPerA) : null,
        stress: f.stressEvPerA3 ? Array.from(f.stressEvPerA3) : null,
      }));
      checkFrames(chunked.frames, asExpected, { positions: 0, energy: 0, forces: 0, stress: 0 });
      const xyz = [...extxyzFormat.write!(whole.frames, { fileName: 'x.xyz' })].join('');
      const back = readText(extxyzFormat, xyz, { fileName: 'x.xyz' });
      expect(back.ok).toBe(true);
      checkFrames(back.frames, asExpected, { positions: 0, energy: 0, forces: 0, stress: 0 });
    });
  }
});
