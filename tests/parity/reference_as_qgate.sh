#!/usr/bin/env bash
# Speaks the `qgate run` command line but runs a reference runtime, so parity.mjs can be checked end to end
# on its own: QGATE_STANDIN=litert (default; LiteRT against itself must give NMSE 0) or interpreter (the
# older TFLite interpreter of reference/tflite_interpreter: a real cross-runtime comparison).
#   reference_as_qgate.sh run MODEL --input X0.npy [--input X1.npy ...] --output-dir DIR [--repeat N]
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
case "${QGATE_STANDIN:-litert}" in
  litert) exec node "$here/../../reference/litert/run_litert.mjs" --runs "$runs" "$model" "$out" "${inputs[@]}" ;;
  # One Infer() per fresh runner (recurrent state carries across Infer() calls), so no --repeat here.
  interpreter) exec node "$here/../../reference/tflite_interpreter/run_tflite.mjs" "$model" "$out" "${inputs[@]}" ;;
  *) echo "error: QGATE_STANDIN must be litert or interpreter, got $QGATE_STANDIN" >&2; exit 2 ;;
esac
