#!/usr/bin/env bash
# End-to-end checks of the CLI's error contract: bad input gives exit status 2, one line on stderr naming the
# file, and no output file left behind. Usage: cli_errors.sh QGATE_BINARY MODEL.tflite
set -uo pipefail
qgate=$1
model=$2
source "$(dirname "$0")/lib.sh"

# expect_error NAME EXPECTED_SUBSTRING -- command...
expect_error() {
  local name=$1 want=$2
  shift 3
  rm -rf "$work/out"
  "$@" >"$work/stdout" 2>"$work/stderr"
  local rc=$?
  local lines
  lines=$(wc -l <"$work/stderr")
  if [[ $rc -ne 2 ]]; then
    echo "FAIL $name: exit status $rc, expected 2 ($(head -c 300 "$work/stderr"))"; fails=$((fails + 1)); return
  fi
  if [[ $lines -ne 1 ]]; then
    echo "FAIL $name: $lines lines on stderr, expected 1:"; cat "$work/stderr"; fails=$((fails + 1)); return
  fi
  if ! grep -qF -- "$want" "$work/stderr"; then
    echo "FAIL $name: stderr lacks '$want': $(cat "$work/stderr")"; fails=$((fails + 1)); return
  fi
  if [[ -e $work/out ]] && [[ -n $(ls -A "$work/out") ]]; then
    echo "FAIL $name: left files in the output directory: $(ls -A "$work/out")"; fails=$((fails + 1)); return
  fi
  echo "ok   $name: $(cat "$work/stderr")"
  passes=$((passes + 1))
}

size=$(stat -c %s "$model")
head -c $((size / 2)) "$model" >"$work/truncated.tflite"
head -c 7 "$model" >"$work/tiny.tflite"
printf 'this is not a model at all, only text' >"$work/text.tflite"
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
w = sys.argv[1]
np.save(f"{w}/x_f32.npy", np.zeros((1, 8, 8, 3), np.float32))
np.save(f"{w}/x_f64.npy", np.zeros((1, 8, 8, 3), np.float64))
open(f"{w}/garbage.npy", "wb").write(b"\x93NUMPY\x01\x00\xff\x00{'descr'")
PY

expect_error "missing model file" "cannot open" -- "$qgate" inspect "$work/absent.tflite"
expect_error "truncated model (inspect)" "truncated.tflite" -- "$qgate" inspect "$work/truncated.tflite"
expect_error "truncated model (run)" "truncated.tflite" -- "$qgate" run "$work/truncated.tflite" --input "$work/x_f32.npy" --output-dir "$work/out"
expect_error "seven-byte model" "tiny.tflite" -- "$qgate" inspect "$work/tiny.tflite"
expect_error "text file as model" "text.tflite" -- "$qgate" inspect "$work/text.tflite"
expect_error "input of wrong shape" "x_f32.npy" -- "$qgate" run "$model" --input "$work/x_f32.npy" --output-dir "$work/out"
expect_error "input of unsupported dtype" "'<f8'" -- "$qgate" run "$model" --input "$work/x_f64.npy" --output-dir "$work/out"
expect_error "garbage npy" "garbage.npy" -- "$qgate" run "$model" --input "$work/garbage.npy" --output-dir "$work/out"
expect_error "too few inputs" "input" -- "$qgate" run "$model" --output-dir "$work/out"
expect_error "unknown option" "--frobnicate" -- "$qgate" run "$model" --frobnicate --output-dir "$work/out"
expect_error "unknown command" "frobnicate" -- "$qgate" frobnicate
expect_error "negative threads" "--threads" -- "$qgate" run "$model" --threads -3 --input "$work/x_f32.npy" --output-dir "$work/out"
expect_error "unknown arithmetic" "--arithmetic gpu" -- "$qgate" run "$model" --arithmetic gpu --input "$work/x_f32.npy" --output-dir "$work/out"
expect_error "litert-cpu with an epilogue override" "--epilogue" -- "$qgate" run "$model" --arithmetic litert-cpu --epilogue xnnpack --input "$work/x_f32.npy" --output-dir "$work/out"
# LiteRT's hybrid depthwise reads one scale per channel: a per-tensor depthwise filter has no LiteRT arithmetic.
shape=$("$qgate" inspect "$model" --json | /usr/bin/python3 -c 'import json,sys; print(",".join(map(str, json.load(sys.stdin)["inputs"][0]["shape"])))')
/usr/bin/python3 -c "import sys, numpy as np; np.save(sys.argv[1], np.zeros(tuple(int(d) for d in sys.argv[2].split(',')), np.float32))" \
  "$work/x_model.npy" "$shape"
expect_error "litert-cpu with a per-tensor depthwise filter" "per-tensor scale" -- "$qgate" run "$model" --scheme per-tensor,min-elements=0,arithmetic=litert-cpu --input "$work/x_model.npy" --output-dir "$work/out"

finish
