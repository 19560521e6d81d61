# Sourced by the CLI test scripts: a scratch directory ($work) removed on exit, qgate's float-output cache kept
# inside it (runs neither depend on nor fill the user's cache), ok/FAIL bookkeeping, and missing_asset
# (tests/cli/require.sh).
#   check NAME STATUS   records "ok NAME" when STATUS is 0, "FAIL NAME" otherwise
#   finish              prints the totals; its status is the script's verdict (0: every check passed)
#   has_all FILE FRAGMENT...  status 0 when FILE contains every fragment (fixed strings), else names the first
#                             missing one on stdout
source "$(dirname "${BASH_SOURCE[0]}")/require.sh"
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
finish() {
  echo "$passes passed, $fails failed"
  [[ $fails -eq 0 ]]
}
