#!/usr/bin/env bash
# The layer-by-layer bisection against LiteRT (reference/litert/bisect.mjs), kept as a test so the next LiteRT
# version is checked op by op, not only at the outputs: MODEL quantized with tflite-dynamic, every operator's output
# in the graph truncated after it, and every operator alone on LiteRT's own inputs, must be bit-identical between
# `qgate run --arithmetic litert-cpu` and LiteRT. Exit 0 passed, 1 failed (a missing model or npm package too; 77
# skipped under QGATE_ALLOW_SKIP=1, tests/cli/require.sh).
# Usage: litert_bisect.sh QGATE_BINARY MODEL.tflite [SEED]
set -uo pipefail
qgate=$1
model=$2
seed=${3:-1}
here=$(cd "$(dirname "$0")/../.." && pwd)
rt=$here/reference/litert
source "$here/tests/cli/require.sh"
[[ -f $model ]] || missing_asset "model $model (scripts/fetch_models fills .cache/models)"
node -e "import('$rt/litert_node.mjs').then(m => m.findNodeModules())" >/dev/null 2>&1 ||
  missing_asset "npm package @litertjs/core (scripts/setup)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$qgate" quantize "$model" --scheme tflite-dynamic -o "$work/q.tflite" >/dev/null || exit 1
node "$rt/bisect.mjs" --qgate "$qgate" "$work/q.tflite" --seed "$seed" --isolated --require-exact \
  --qgate-arg --arithmetic --qgate-arg litert-cpu >"$work/bisect.log" 2>&1
status=$?
grep -v "^WARNING" "$work/bisect.log"
exit "$status"
