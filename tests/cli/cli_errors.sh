#!/usr/bin/env bash
# End-to-end checks of the CLI's error contract: bad input gives exit status 2, one line on stderr naming the
# file, the field and the rule broken (each check lists the fragments the line must hold), and no output file left
# behind. Usage: cli_errors.sh QGATE_BINARY MODEL.tflite
set -uo pipefail
qgate=$1
model=$2
source "$(dirname "$0")/lib.sh"
[[ -f $model ]] || missing_asset "$model (scripts/fetch_models fills .cache/models)"

# expect_error NAME FRAGMENT... -- command...   (every FRAGMENT must appear in the one stderr line)
expect_error() {
  local name=$1
  local want=()
  shift
  while [[ $1 != -- ]]; do want+=("$1"); shift; done
  shift
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
  if ! has_all "$work/stderr" "${want[@]}"; then
    echo "FAIL $name: $(cat "$work/stderr")"; fails=$((fails + 1)); return
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

truncated="file: FlatBuffer verification failed on $((size / 2)) bytes"
not_a_model=("neither a TensorFlow Lite model" "file identifier 'TFL3' missing at byte 4" "nor an ONNX ModelProto")
expect_error "missing model file" "$work/absent.tflite: cannot open: No such file or directory" -- \
  "$qgate" inspect "$work/absent.tflite"
expect_error "truncated model (inspect)" "$work/truncated.tflite: $truncated" "truncated or corrupt" -- \
  "$qgate" inspect "$work/truncated.tflite"
expect_error "truncated model (run)" "$work/truncated.tflite: $truncated" "truncated or corrupt" -- \
  "$qgate" run "$work/truncated.tflite" --input "$work/x_f32.npy" --output-dir "$work/out"
expect_error "seven-byte model" "$work/tiny.tflite: " "${not_a_model[@]}" -- "$qgate" inspect "$work/tiny.tflite"
expect_error "text file as model" "$work/text.tflite: " "${not_a_model[@]}" -- "$qgate" inspect "$work/text.tflite"
expect_error "input of wrong shape" "$model: input 'input' dim 1: declared 128, given 8" \
  "(declared [1,128,128,3], given [1,8,8,3])" -- \
  "$qgate" run "$model" --input "$work/x_f32.npy" --output-dir "$work/out"
expect_error "input of unsupported dtype" "$work/x_f64.npy: npy descr '<f8' is not supported" "float32" -- \
  "$qgate" run "$model" --input "$work/x_f64.npy" --output-dir "$work/out"
expect_error "garbage npy" "$work/garbage.npy: npy header length 255 runs past the end of the file (18 bytes)" -- \
  "$qgate" run "$model" --input "$work/garbage.npy" --output-dir "$work/out"
expect_error "too few inputs" "$model: the model has 1 input, 0 --input given" -- \
  "$qgate" run "$model" --output-dir "$work/out"
expect_error "unknown option" "qgate run: unrecognised option '--frobnicate'" "see 'qgate run --help'" -- \
  "$qgate" run "$model" --frobnicate --output-dir "$work/out"
expect_error "unknown command" "unknown command 'frobnicate'" "commands: inspect, run, quantize" -- "$qgate" frobnicate
expect_error "negative threads" "qgate run: --threads -3 is negative" -- \
  "$qgate" run "$model" --threads -3 --input "$work/x_f32.npy" --output-dir "$work/out"
expect_error "unknown arithmetic" "--arithmetic gpu" -- "$qgate" run "$model" --arithmetic gpu --input "$work/x_f32.npy" --output-dir "$work/out"
expect_error "litert-cpu with an epilogue override" "--epilogue" -- "$qgate" run "$model" --arithmetic litert-cpu --epilogue xnnpack --input "$work/x_f32.npy" --output-dir "$work/out"
# LiteRT's hybrid depthwise reads one scale per channel: a per-tensor depthwise filter has no LiteRT arithmetic.
shape=$("$qgate" inspect "$model" --json | /usr/bin/python3 -c 'import json,sys; print(",".join(map(str, json.load(sys.stdin)["inputs"][0]["shape"])))')
/usr/bin/python3 -c "import sys, numpy as np; np.save(sys.argv[1], np.zeros(tuple(int(d) for d in sys.argv[2].split(',')), np.float32))" \
  "$work/x_model.npy" "$shape"
expect_error "litert-cpu with a per-tensor depthwise filter" "per-tensor scale" -- "$qgate" run "$model" --scheme per-tensor,min-elements=0,arithmetic=litert-cpu --input "$work/x_model.npy" --output-dir "$work/out"

finish
