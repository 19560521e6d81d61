#!/usr/bin/env bash
# Speaks the `qgate run` command line but runs LiteRT (reference/litert/run_litert.mjs): lets parity.mjs be
# checked end to end before qgate runs a model (LiteRT against itself must give NMSE 0).
#   litert_as_qgate.sh run MODEL --input X0.npy [--input X1.npy ...] --output-dir DIR [--repeat N]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ "${1:-}" == run ]] || { echo "error: only 'run' is supported" >&2; exit 2; }
shift
model="" out="" inputs=() runs=1
while (($#)); do
  case "$1" in
    --input|-i) inputs+=("$2"); shift 2 ;;
    --output-dir|-o) out="$2"; shift 2 ;;
    --repeat) runs="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    -*) echo "error: unknown option $1" >&2; exit 2 ;;
    *) model="$1"; shift ;;
  esac
done
[[ -n "$model" && -n "$out" && ${#inputs[@]} -gt 0 ]] || { echo "error: need MODEL, --input and --output-dir" >&2; exit 2; }
exec node "$here/../../reference/litert/run_litert.mjs" --runs "$runs" "$model" "$out" "${inputs[@]}"
