#!/bin/bash
# Pack the benchmarks for a machine without npm or internet (e.g. a 16-core server): the node binary,
# tsx + esbuild, the tfjs wasm backend's files, ASE 3.22 from Debian, bundled CLI and bench/mlmd, and
# the mlearn Si/Mo splits, into .devbench/ (git-ignored). On the other machine, in a copy of the repo:
#   mkdir -p /tmp/nb && tar -xJf .devbench/pack.tar.xz -C /tmp/nb && ln -sfn /tmp/nb/node_modules node_modules
#   export PATH=/tmp/nb/bin:$PATH PYTHONPATH=/tmp/nb/py PYTHON=$(command -v python3)   # a python3 with numpy (+ torch for mlmd)
#   bash bench/portable_run.sh      # io bench, an accuracy sweep and bench/mlmd
# Used for the 16-core figures of 2026-11-26 (docs/bench-16core.md).
set -euo pipefail
cd "$(dirname "$0")/.."
D=.devbench; P=/tmp/atomforge-pack
rm -rf "$P" && mkdir -p "$P/bin" "$P/node_modules/@esbuild" "$P/node_modules/@tensorflow/tfjs-backend-wasm/dist" "$P/py" "$D/data/mlearn_Zuo2020"
cp "$(readlink -f "$(command -v node)")" "$P/bin/node"
cp -r node_modules/tsx node_modules/esbuild "$P/node_modules/" && cp -r node_modules/@esbuild/linux-x64 "$P/node_modules/@esbuild/"
W=node_modules/@tensorflow/tfjs-backend-wasm
cp $W/package.json "$P/$W/" && cp $W/dist/*.wasm $W/dist/tf-backend-wasm.node.js "$P/$W/dist/"
cp -r /usr/lib/python3/dist-packages/ase "$P/py/" && rm -rf "$P/py/ase/test" "$P/py/ase/gui"
(cd "$P" && tar -cf - .) | xz -T0 -6 > "$D/pack.tar.xz"
banner="import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);"
npx esbuild src-main/cli/index.ts --bundle --platform=node --format=esm --target=node20 --outfile=$D/cli.mjs --banner:js="$banner" --log-level=warning
npx esbuild bench/mlmd.ts --bundle --platform=node --format=esm --target=node20 --outfile=$D/mlmd.mjs --banner:js="$banner" --log-level=warning
cp ../shared/data/mlearn_Zuo2020/{Si,Mo}_{train,test}.xyz "$D/data/mlearn_Zuo2020/"
grep -q '^/.devbench/' .git/info/exclude 2>/dev/null || echo '/.devbench/' >> .git/info/exclude
du -sh "$D"
