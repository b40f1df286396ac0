// Symmetry-function models (bpnn, linear) -> n2p2 files for LAMMPS `pair_style hdnnp` (package
// ML-HDNNP): input.nn, scaling.data, weights.ZZZ.data (ZZZ = atomic number, 3 digits).
// n2p2: Singraber, Behler & Dellago, J. Chem. Theory Comput. 15, 1827 (2019);
// compphysvienna.github.io/n2p2; source read: src/libnnp Mode.cpp, SymFnc*.cpp, NeuralNetwork.cpp,
// ElementMap.cpp, src/libnnpif/LAMMPS/InterfaceLammps.cpp.
//
// What maps to what (ours -> n2p2), all exact:
//   fc(r) = ½[cos(πr/rc) + 1]             -> cutoff_type 1 0.0 (CT_COS, inner cutoff α = 0)
//   G2 (η, rs) per neighbour element       -> symfunction_short <ec> 2 <e1> η rs rc
//   G4 (η, ζ, λ) per element pair, rc_ang  -> type 3 (SymFncExpAngn, "narrow": includes fc(r_jk)
//                                             and r_jk² in the Gaussian), rs = 0
//   G5 (η, ζ, λ)                           -> type 9 (SymFncExpAngw, "wide"), rs = 0
//   x = (G - μ)/σ                          -> scale_symmetry_functions_sigma, Smin 0, Smax 1:
//                                             Gs = Smin + (Smax - Smin)(G - Gmean)/Gsigma
//   tanh / sigmoid / softplus / linear     -> t / s / p / l; shifted softplus = softplus - ln 2 is
//                                             folded into the next layer's biases (b' = b - ln2 ΣW)
//   E_i = s_E·NN(x) + ē + E0(Z)            -> folded into the output layer: W' = s_E W,
//                                             b' = s_E b + ē + E0(Z) (no normalisation keywords,
//                                             no atom_energy: LAMMPS gets the total energy in eV)
//   linear model E_i = w·x + b + E0        -> one hidden neuron with identity activation
// Orderings n2p2 imposes, reproduced here: elements sorted by atomic number (ElementMap);
// each element's symmetry functions sorted (Element::sortSymmetryFunctions with the operator< of
// each type): by type, cutoff type, α, rc, then η, rs [, ζ, λ], e1 [, e2] with element indices in
// that Z order and e1 <= e2. The network's input neurons follow that sorted order, so the rows of
// our first weight matrix are permuted to it; scaling.data lists, per element in Z order, one line
// "element-index sf-index Gmin Gmax Gmean Gsigma" per sorted function. Weights files list, layer by
// layer, every weight w(prev j -> k) with j outer and k inner, then the layer's biases.
// Not expressible (refused with the reason): models other than bpnn/linear (message passing), SiLU.
// Gmin/Gmax only drive n2p2's extrapolation warnings; pass `featureRange` (min/max over training
// structures) to get them, otherwise ±1e300 is written and the warnings never fire (notes say so).
import { atomicNumber, massAmu } from '../atoms/elements';
import { parseBehlerParrinelloConfig } from '../ml/models/behlerParrinello';
import { parseLinearConfig } from '../ml/models/linear';
import { savedArray, type SavedModel } from '../ml/models/serialization';
import { featureLayout, type SymmetryFunctionConfig } from '../ml/models/symmetryFunctions';
import { pairIndex } from '../ml/data/species';

export class N2p2ExportError extends Error {}

/** One symmetry function with n2p2's parameters; element indices in Z order. */
export interface N2p2SymmetryFunction {
  type: 2 | 3 | 9;
  rc: number;
  eta: number;
  rs: number;
  zeta: number;
  lambda: number;
  e1: number;
  e2: number;
  /** Column in our feature vector. */
  ours: number;
}

/** n2p2's sort order (SymFncExpRad / SymFncExpAngn / SymFncExpAngw operator<, one cutoff type and α). */
export function compareN2p2(a: N2p2SymmetryFunction, b: N2p2SymmetryFunction): number {
  const keys = (s: N2p2SymmetryFunction) => (s.type === 2 ? [s.type, s.rc, s.eta, s.rs, s.e1] : [s.type, s.rc, s.eta, s.rs, s.zeta, s.lambda, s.e1, s.e2]);
  const ka = keys(a), kb = keys(b);
  for (let k = 0; k < Math.min(ka.length, kb.length); k++) if (ka[k] !== kb[k]) return ka[k] < kb[k] ? -1 : 1;
  return ka.length - kb.length;
}

/** Our feature columns as n2p2 symmetry functions, in n2p2's order (the same for every central element). */
export function n2p2SymmetryFunctions(c: SymmetryFunctionConfig, nSpecies: number): N2p2SymmetryFunction[] {
  const L = featureLayout(c, nSpecies);
  const out: N2p2SymmetryFunction[] = [];
  for (let s = 0; s < nSpecies; s++) {
    c.radial.forEach((r, k) => out.push({ type: 2, rc: c.cutoffA, eta: r.etaPerA2, rs: r.rsA, zeta: 0, lambda: 0, e1: s, e2: s, ours: s * L.nRadial + k }));
  }
  const a = c.angular;
  if (a) {
    const nZL = a.zeta.length * a.lambda.length;
    for (let s = 0; s < nSpecies; s++) for (let t = s; t < nSpecies; t++) {
      const block = nSpecies * L.nRadial + pairIndex(s, t, nSpecies) * L.nAngular;
      a.etaPerA2.forEach((eta, e) => a.zeta.forEach((zeta, z) => a.lambda.forEach((lambda, l) => {
        out.push({ type: a.kind === 'G4' ? 3 : 9, rc: a.cutoffA, eta, rs: 0, zeta, lambda, e1: s, e2: t, ours: block + e * nZL + z * a.lambda.length + l });
      })));
    }
  }
  return out.sort(compareN2p2);
}

interface Layer {
  /** [in·out] row-major (in outer). */
  W: Float64Array;
  b: Float64Array;
  nIn: number;
  nOut: number;
}

const N2P2_ACTIVATION: Record<string, string> = { tanh: 't', sigmoid: 's', softplus: 'p', shifted_softplus: 'p', linear: 'l' };

export interface N2p2Options {
  /** [S·F] per-species min and max of each feature over training structures (our feature order). */
  featureRange?: { min: Float64Array; max: Float64Array };
  /** Free text for the input.nn header (model name, run id). */
  source?: string;
}

export interface N2p2Export {
  /** File name -> text: input.nn, scaling.data, weights.ZZZ.data. */
  files: Record<string, string>;
  /** Elements in n2p2 (atomic-number) order. */
  elements: string[];
  /** Largest symmetry-function cutoff, Å (the pair_style hdnnp cutoff). */
  cutoffA: number;
  notes: string[];
  /** `pair_style hdnnp` and `pair_coeff` lines for the files in directory `dir`. */
  pairLines(dir: string): string[];
  /** An example LAMMPS input using the files from directory `dir`. */
  lammpsInput(opts?: { dir?: string; dataFile?: string }): string;
}

function layersOf(saved: SavedModel): { layers: Layer[][]; activation: string; config: SymmetryFunctionConfig } {
  const S = saved.species.length;
  if (saved.type === 'bpnn') {
    const c = parseBehlerParrinelloConfig(saved.config);
    const F = featureLayout(c.symmetryFunctions, S).nFeatures;
    if (!(c.activation in N2P2_ACTIVATION)) {
      throw new N2p2ExportError(`n2p2 export: activation "${c.activation}" has no n2p2 equivalent (n2p2 offers tanh, logistic sigmoid, softplus, identity, relu, gaussian, cos, exp, harmonic); retrain with tanh, sigmoid, softplus or shifted_softplus`);
    }
    const sizes = [F, ...c.hidden, 1];
    const layers = saved.species.map((sym) => sizes.slice(1).map((nOut, l) => {
      const W = savedArray(saved.weights, `${sym}/dense${l}/kernel`), b = savedArray(saved.weights, `${sym}/dense${l}/bias`);
      if (W.data.length !== sizes[l] * nOut || b.data.length !== nOut) throw new N2p2ExportError(`n2p2 export: ${sym}/dense${l} has shape [${W.shape}], expected [${sizes[l]}, ${nOut}]`);
      return { W: Float64Array.from(W.data), b: Float64Array.from(b.data), nIn: sizes[l], nOut };
    }));
    // shifted softplus: act(x) - ln2 feeds the next layer, b_next -= ln2 Σ_j W_next[j, k]
    if (c.activation === 'shifted_softplus') {
      for (const net of layers) for (let l = 1; l < net.length; l++) {
        const L = net[l];
        for (let k = 0; k < L.nOut; k++) {
          let col = 0;
          for (let j = 0; j < L.nIn; j++) col += L.W[j * L.nOut + k];
          L.b[k] -= Math.LN2 * col;
        }
      }
    }
    const sE = saved.scales.energyEvPerAtom, shift = saved.scales.energyMeanEvPerAtom;
    layers.forEach((net, s) => {
      const last = net[net.length - 1];
      for (let q = 0; q < last.W.length; q++) last.W[q] *= sE;
      last.b[0] = sE * last.b[0] + shift + saved.e0.valuesEv[s];
      // n2p2 needs a hidden layer: a network without one gets a single identity neuron
      if (net.length === 1) net.push({ W: Float64Array.of(1), b: Float64Array.of(0), nIn: 1, nOut: 1 });
    });
    return { layers, activation: c.hidden.length === 0 ? 'l' : N2P2_ACTIVATION[c.activation], config: c.symmetryFunctions };
  }
  if (saved.type === 'linear') {
    const c = parseLinearConfig(saved.config);
    const F = featureLayout(c.symmetryFunctions, S).nFeatures;
    const layers = saved.species.map((sym, s) => {
      const w = savedArray(saved.weights, `${sym}/linear/kernel`).data, b = savedArray(saved.weights, `${sym}/linear/bias`).data;
      return [
        { W: Float64Array.from(w), b: Float64Array.of(b[0]), nIn: F, nOut: 1 },
        { W: Float64Array.of(1), b: Float64Array.of(saved.e0.valuesEv[s]), nIn: 1, nOut: 1 },
      ];
    });
    return { layers, activation: 'l', config: c.symmetryFunctions };
  }
  throw new N2p2ExportError(
    `n2p2 export: a "${saved.type}" model cannot be written for pair_style hdnnp: n2p2 evaluates atom-centred symmetry functions (G2/G3/G9) feeding one network per element, and ${saved.type === 'painn' ? 'PaiNN passes messages between atoms over several interaction layers, which no n2p2 symmetry function expresses' : saved.type === 'kernel' ? 'the kernel model sums Gaussian kernels over its sparse points on top of them, which no n2p2 network expresses (use it in Atomforge: md, relax, calc)' : 'this model type is not built from them'}. Export a bpnn or linear model.`,
  );
}

/** The n2p2 files for a saved bpnn or linear model; throws N2p2ExportError with the reason otherwise. */
export function exportN2p2(saved: SavedModel, options: N2p2Options = {}): N2p2Export {
  const S = saved.species.length;
  const zs = saved.species.map((s) => atomicNumber(s));
  for (let s = 1; s < S; s++) if (!(zs[s] > zs[s - 1])) throw new N2p2ExportError(`n2p2 export: model species ${saved.species.join(', ')} are not in atomic-number order`);
  const { layers, activation, config } = layersOf(saved);
  if (config.powerSpectrum) throw new N2p2ExportError('n2p2 export: the model uses a power spectrum (SOAP-like descriptors), which n2p2 has no symmetry function for; export a model on G2/G4/G5 functions only');
  const F = featureLayout(config, S).nFeatures;
  const sfs = n2p2SymmetryFunctions(config, S);
  const mean = savedArray(saved.buffers, 'feature_mean').data, std = savedArray(saved.buffers, 'feature_std').data;
  const notes: string[] = [];
  const range = options.featureRange;
  if (!range) notes.push('no feature range given: scaling.data holds Gmin = -1e300, Gmax = 1e300, so n2p2 never issues extrapolation warnings; export with training data to enable them');
  const num = (v: number) => String(v);
  const hiddenSizes = layers[0].slice(0, -1).map((L) => L.nOut);
  const cutoffA = Math.max(config.cutoffA, config.angular?.cutoffA ?? 0);
  const els = saved.species;
  const input = [
    '# n2p2 settings written by Atomforge for LAMMPS pair_style hdnnp (units: Å and eV, i.e. LAMMPS units metal)',
    `# model: ${options.source ?? saved.type} (${saved.type}); E0, energy scale and mean are folded into the output biases`,
    `number_of_elements ${S}`,
    `elements ${els.join(' ')}`,
    'cutoff_type 1 0.0',
    'scale_symmetry_functions_sigma',
    'scale_min_short 0.0',
    'scale_max_short 1.0',
    `global_hidden_layers_short ${hiddenSizes.length}`,
    `global_nodes_short ${hiddenSizes.join(' ')}`,
    `global_activation_short ${hiddenSizes.map(() => activation).join(' ')} l`,
    '',
  ];
  for (let ec = 0; ec < S; ec++) {
    for (const f of sfs) {
      input.push(f.type === 2
        ? `symfunction_short ${els[ec]} 2 ${els[f.e1]} ${num(f.eta)} ${num(f.rs)} ${num(f.rc)}`
        : `symfunction_short ${els[ec]} ${f.type} ${els[f.e1]} ${els[f.e2]} ${num(f.eta)} ${num(f.lambda)} ${num(f.zeta)} ${num(f.rc)} ${num(f.rs)}`);
    }
  }
  const scaling = ['# n2p2 symmetry-function scaling (Atomforge export): element sf Gmin Gmax Gmean Gsigma'];
  for (let ec = 0; ec < S; ec++) {
    sfs.forEach((f, k) => {
      const q = ec * F + f.ours;
      const lo = range ? range.min[q] : -1e300, hi = range ? range.max[q] : 1e300;
      scaling.push(`${ec + 1} ${k + 1} ${num(lo)} ${num(hi)} ${num(mean[q])} ${num(std[q])}`);
    });
  }
  const files: Record<string, string> = { 'input.nn': input.join('\n') + '\n', 'scaling.data': scaling.join('\n') + '\n' };
  layers.forEach((net, s) => {
    const lines = [`# n2p2 weights for ${els[s]} (Atomforge export): per layer, weights j(prev) outer k inner, then biases`];
    net.forEach((L, l) => {
      for (let j = 0; j < L.nIn; j++) {
        const row = l === 0 ? sfs[j].ours : j; // n2p2 input neuron j is our feature sfs[j].ours
        for (let k = 0; k < L.nOut; k++) lines.push(num(L.W[row * L.nOut + k]));
      }
      for (let k = 0; k < L.nOut; k++) lines.push(num(L.b[k]));
    });
    files[`weights.${String(zs[s]).padStart(3, '0')}.data`] = lines.join('\n') + '\n';
  });
  const pairLines = (dir: string) => [
    `pair_style hdnnp ${cutoffA} dir ${dir.endsWith('/') ? dir : dir + '/'} showew no showewsum 100 maxew 1000 resetew yes cflength 1.0 cfenergy 1.0`,
    `pair_coeff * * ${els.join(' ')}`,
  ];
  return {
    files,
    elements: [...els],
    cutoffA,
    notes,
    pairLines,
    lammpsInput({ dir = 'nnp', dataFile = 'structure.data' } = {}) {
      return [
        '# LAMMPS input for the exported model: pair_style hdnnp (build LAMMPS with the ML-HDNNP package and n2p2)',
        '# Units: the model is in Å and eV, so use units metal and cflength 1.0 cfenergy 1.0.',
        `# For units real (kcal/mol): cfenergy 0.0433641 (eV per kcal/mol); for other length units cflength converts them to Å.`,
        'units metal',
        'atom_style atomic',
        'boundary p p p',
        `read_data ${dataFile}   # atom types 1..${S} must be ${els.join(', ')} (or change pair_coeff)`,
        ...els.map((e, t) => `mass ${t + 1} ${massAmu(atomicNumber(e))}`),
        ...pairLines(dir),
        'neighbor 1.0 bin',
        'velocity all create 300.0 12345 mom yes rot yes',
        'fix nve all nve',
        'timestep 0.0005   # ps (0.5 fs)',
        'thermo_style custom step temp pe etotal press',
        'thermo 10',
        'run 1000',
        '',
      ].join('\n');
    },
  };
}
