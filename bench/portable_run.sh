#!/bin/bash
# The portable benchmark run (bench/portable.sh packs what it needs): bench/io on the quiet machine,
# then an accuracy sweep on 13 cores with bench/mlmd beside it; results in $OUT (default /tmp/out).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p $OUT
echo "cores $(nproc); $(node --version); $(lscpu | grep 'Model name')"
$PYTHON -c "import ase, numpy, torch; print('ase', ase.__version__, 'numpy', numpy.__version__, 'torch', torch.__version__)"
echo "=== bench/io (quiet machine)"
timeout 150 node --import tsx bench/io.ts --mb 50 --rounds 2 --repeats 3 --workers 4 2>&1
echo "=== io done at $(date +%T)"
R=/tmp/res; mkdir -p $R
common="--models bpnn --max-minutes ${ACC_MIN:-5.5} --epochs 20000 --cli .devbench/cli.mjs --backend cpu --data .devbench/data --lr-patience 40"
job() { name=$1; shift; node --import tsx bench/accuracy.ts $common --out /tmp/acc/$name --json $R/$name.json "$@" > $R/$name.log 2>&1 & }
RICH="--n-radial 20 --angular-widths 1.2,1.8,2.5,3.5,5 --zetas 1,2,4,8,16"
job s1 --elements Si --hidden 32,32
job s2 --elements Si --hidden 64,64
job s3 --elements Si --hidden 64,64 --energy-weight 0.3
job s4 --elements Si --hidden 64,64 --energy-weight 3
job s5 --elements Si --hidden 64,64 $RICH
job s6 --elements Si --hidden 96,96
job s7 --elements Si --hidden 64,64 --lr 1e-3
job m1 --elements Mo --hidden 32,32
job m2 --elements Mo --hidden 64,64
job m3 --elements Mo --hidden 64,64 --energy-weight 0.3
job m4 --elements Mo --hidden 64,64 $RICH
job m5 --elements Mo --hidden 64,64 --energy-weight 3
job m6 --elements Mo --hidden 96,96
echo "=== bench/mlmd beside the sweep (13 of 16 cores busy)"
timeout 300 node .devbench/mlmd.mjs --models bpnn,painn --sizes 64,512,4096 --codes fast,torch --tfjs-backend cpu --repeats 2 2>&1
echo "=== mlmd done at $(date +%T)"
wait
for f in $R/*.log; do echo "--- $f"; tail -4 $f; done
for d in /tmp/acc/*/*/; do rm -f $d/checkpoint*; done
tar -czf $OUT/acc.tar.gz -C /tmp acc res
echo "=== all done at $(date +%T)"
