#!/bin/sh
# Domain shift on the mlearn benchmark data (Zuo et al., JPCA 124, 731 (2020)), issue 6:
# a committee of 4 bagged linear models on symmetry functions trained on Si_train (descriptor
# statistics calibrated on its seeded 10 % validation split) is evaluated on Si_test (reference:
# same distribution) and on Ge_test with Ge renamed Si (new: 4 % larger lattice, other energies).
# Prints the two rows and the new/reference ratios of errors, descriptor score and committee spread.
# Usage: sh bench/uncertainty_shift.sh [DATA_DIR]   (default /work/shared/data/mlearn_Zuo2020)
set -e
DATA=${1:-/work/shared/data/mlearn_Zuo2020}
OUT=$(mktemp -d)
cat > "$OUT/cfg.json" <<'CFG'
{"model": {"ridge": 1e-5, "symmetryFunctions": {"cutoffA": 5.0,
  "radial": [{"etaPerA2": 0, "rsA": 0}, {"etaPerA2": 4, "rsA": 2.2}, {"etaPerA2": 4, "rsA": 2.4}, {"etaPerA2": 4, "rsA": 2.6},
             {"etaPerA2": 2, "rsA": 3.0}, {"etaPerA2": 2, "rsA": 3.5}, {"etaPerA2": 2, "rsA": 4.0}, {"etaPerA2": 1, "rsA": 4.5}],
  "angular": {"kind": "G5", "cutoffA": 4.0, "etaPerA2": [0.01, 0.1], "zeta": [1, 2, 4], "lambda": [-1, 1]}}},
 "split": {"method": "random", "validFraction": 0.1, "seed": 0}}
CFG
npm run -s cli -- committee train "$DATA/Si_train.xyz" --model linear --k 4 --config "$OUT/cfg.json" --out "$OUT/committee" --backend cpu 2>&1 | grep -E "^member|^committee" || true
npm run -s cli -- uncertainty score "$DATA/Si_test.xyz" --model "$OUT/committee" 2>/dev/null
npm run -s cli -- shift "$DATA/Si_test.xyz" "$DATA/Ge_test.xyz" --as Ge=Si --model "$OUT/committee" --out "$OUT/shift.json" 2>/dev/null
echo "report: $OUT/shift.json"
