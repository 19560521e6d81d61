#!/usr/bin/env bash
# Checks tests/kernels/twins.txt against the tree: every kernels/*.h listed once; each twin exists and includes its
# kernel header; each test exists and includes the twin (or, without a twin, the kernel header); every "-" has a
# reason. Prints the table it checked. Usage: tests/kernels/twins.sh SOURCE_DIR
set -uo pipefail
root=${1:?usage: twins.sh SOURCE_DIR}
cd "$root" || exit 1
table=tests/kernels/twins.txt
errors=0
fail() { echo "twins: $*" >&2; errors=$((errors + 1)); }
includes() { grep -q "^#include \"$2\"" "$1"; }

declare -A listed
while read -r header twin test reason; do
  [[ -z $header || $header == \#* ]] && continue
  [[ -n ${listed[$header]:-} ]] && fail "$table lists $header twice"
  listed[$header]=1
  [[ -f $header ]] || fail "$table lists $header, which does not exist"
  if [[ $twin == - || $test == - ]] && [[ -z ${reason:-} ]]; then
    fail "$header: a missing twin or test needs a reason in $table"
  fi
  if [[ $twin != - ]]; then
    if [[ ! -f $twin ]]; then fail "$header: twin $twin does not exist"
    elif ! includes "$twin" "$header"; then fail "$header: twin $twin does not #include \"$header\""; fi
  fi
  if [[ $test != - ]]; then
    wanted=$([[ $twin != - ]] && echo "$twin" || echo "$header")
    if [[ ! -f $test ]]; then fail "$header: test $test does not exist"
    elif ! includes "$test" "$wanted"; then fail "$header: test $test does not #include \"$wanted\""; fi
  fi
  printf '%-34s %-38s %s\n' "$header" "$twin" "$test"
done <"$table"

for h in kernels/*.h; do
  [[ -n ${listed[$h]:-} ]] || fail "$h is not in $table (add its reference twin and unit test, or a reason)"
done
if ((errors > 0)); then
  echo "twins: $errors problem(s)" >&2
  exit 1
fi
echo "twins: every kernel header listed, twins and tests in place"
