# Sourced by the CLI test scripts: their usual arguments, the Fashion-MNIST test set, a scratch directory ($work)
# removed on exit, qgate's float-output cache kept inside it (runs neither depend on nor fill the user's cache),
# ok/FAIL bookkeeping, and missing_asset (tests/cli/require.sh).
#   check NAME STATUS   records "ok NAME" when STATUS is 0, "FAIL NAME" otherwise
#   finish [LOG...]     prints the totals, and each LOG (a file under $work) when a check failed; its status is
#                       the script's verdict (0: every check passed)
#   has_all FILE FRAGMENT...  status 0 when FILE contains every fragment (fixed strings), else names the first
#                             missing one on stdout
#   validate_reports SCHEMA REPORT...  status 0 when every report validates against the JSON schema
source "$(dirname "${BASH_SOURCE[0]}")/require.sh"
# Most scripts take QGATE_BINARY REPO_DIR (tests/CTestCases.cmake); one called otherwise names its own arguments.
qgate=${1:-}
repo=${2:-}
# Debian's dataset-fashion-mnist: the folder, and its test images with labels as a --data spec.
fm=/usr/share/datasets/fashion-mnist
data="idx:$fm/t10k-images-idx3-ubyte.gz,$fm/t10k-labels-idx1-ubyte.gz"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QGATE_CACHE=$work/cache
fails=0
passes=0
check() {
  if [[ $2 -eq 0 ]]; then echo "ok   $1"; passes=$((passes + 1)); else echo "FAIL $1"; fails=$((fails + 1)); fi
}
has_all() {
  local file=$1 f
  shift
  for f in "$@"; do
    grep -qF -- "$f" "$file" || { echo "     missing in $(basename "$file"): '$f'"; return 1; }
  done
}
validate_reports() {
  /usr/bin/python3 - "$@" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for p in sys.argv[2:]:
    jsonschema.validate(json.load(open(p)), schema)
PY
}
finish() {
  local log
  if [[ $fails -ne 0 ]]; then
    for log in "$@"; do echo "== $log"; cat "$work/$log"; done
  fi
  echo "$passes passed, $fails failed"
  [[ $fails -eq 0 ]]
}
