# Sourced by the CLI test scripts: a scratch directory ($work) removed on exit, qgate's float-output cache kept
# inside it (runs neither depend on nor fill the user's cache), ok/FAIL bookkeeping, and missing_asset
# (tests/cli/require.sh).
#   check NAME STATUS   records "ok NAME" when STATUS is 0, "FAIL NAME" otherwise
#   finish              prints the totals; its status is the script's verdict (0: every check passed)
source "$(dirname "${BASH_SOURCE[0]}")/require.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QGATE_CACHE=$work/cache
fails=0
passes=0
check() {
  if [[ $2 -eq 0 ]]; then echo "ok   $1"; passes=$((passes + 1)); else echo "FAIL $1"; fails=$((fails + 1)); fi
}
finish() {
  echo "$passes passed, $fails failed"
  [[ $fails -eq 0 ]]
}
