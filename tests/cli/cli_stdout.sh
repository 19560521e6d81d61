#!/usr/bin/env bash
# A reader that leaves early (`qgate ... | head`) is what users do with qgate's output: qgate exits quietly with
# the status of what it found (0, or 1 for a failed gate), and the files it writes are complete.
# Usage: cli_stdout.sh QGATE_BINARY REPO_TOP
set -uo pipefail
source "$(dirname "$0")/lib.sh"
big=$repo/.cache/models/pose__pose_landmark_heavy.tflite
[[ -f $big ]] || { echo "FAIL required model missing: $big (scripts/setup fetches it)"; exit 1; }

# --json of the heavy pose model is ~90 KB, more than a pipe holds: the reader below has left before qgate is done,
# so qgate must meet a closed pipe (EPIPE / SIGPIPE) whatever the timing.
"$qgate" inspect "$big" --json >"$work/full.json"
size=$(stat -c %s "$work/full.json")
[[ $size -gt 70000 ]]
check "inspect --json output exceeds a pipe buffer ($size bytes)" $?

"$qgate" inspect "$big" --json 2>"$work/err" | (exit 0)
status=${PIPESTATUS[0]}
[[ $status -eq 0 && ! -s $work/err ]]
check "inspect into a reader that reads nothing: exit 0 (got $status), nothing on stderr" $?

"$qgate" inspect "$big" 2>"$work/err" | head -n 1 >"$work/first"
status=${PIPESTATUS[0]}
[[ $status -eq 0 && ! -s $work/err && $(cat "$work/first") == model* ]]
check "inspect | head -n 1: exit 0 (got $status), first line kept, stderr empty" $?

"$qgate" --help 2>"$work/err" | (exit 0)
check "--help into a closed pipe: exit 0" $(( PIPESTATUS[0] + $(stat -c %s "$work/err") ))

# The exit status stays the gate contract and the report is written in full although the console was cut off.
"$qgate" eval --model "$repo/models/fmnist_cnn.tflite" --data "$data" --limit 300 --no-layers --no-cache \
  --report "$work/pass.json" 2>"$work/err" | (exit 0)
status=${PIPESTATUS[0]}
verdict=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"]["status"])' "$work/pass.json")
[[ $status -eq 0 && $verdict == PASS && ! -s $work/err ]]
check "eval (passing gate) into a closed pipe: exit 0 (got $status), complete report (verdict $verdict)" $?

"$qgate" eval --model "$repo/models/fmnist_cnn.tflite" --data "$data" --limit 300 --no-layers --no-cache \
  --gate 'top1.delta>=1' --no-search --report "$work/fail.json" 2>"$work/err" | (exit 0)
status=${PIPESTATUS[0]}
verdict=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"]["status"])' "$work/fail.json")
[[ $status -eq 1 && $verdict == FAIL ]]
check "eval (failing gate) into a closed pipe: exit 1 (got $status), complete report (verdict $verdict)" $?

# A stdout that cannot be written at all (a full disk) is an error, not a silent success.
"$qgate" inspect "$big" --json >/dev/full 2>"$work/err"
status=$?
[[ $status -ne 0 ]] && grep -q 'No space left on device' "$work/err"
check "inspect to /dev/full: non-zero exit (got $status) naming the cause" $?

finish
