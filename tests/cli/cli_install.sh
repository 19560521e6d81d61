#!/usr/bin/env bash
# qgate installed like a tool: `cmake --install` into a scratch prefix and the .deb that `cpack -G DEB` makes both
# give a qgate that evaluates from anywhere (schemas, docs and bash completion in their standard places, the cache in
# the user's cache directory, not the working directory), and the .deb declares every shared library the binary
# links (each NEEDED soname's Debian package is in Depends), so `apt install ./qgate_*.deb` on a bare Debian 12
# pulls what it needs.
# Usage: cli_install.sh BUILD_DIR REPO_TOP
set -uo pipefail
source "$(dirname "$0")/lib.sh"
build=$1
field() { /usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1
check "cmake --install into a scratch prefix" $?
for f in bin/qgate share/qgate/schema/report.schema.json share/qgate/schema/compare.schema.json \
         share/doc/qgate/README.md share/doc/qgate/cli.md share/doc/qgate/arithmetic.md \
         share/bash-completion/completions/qgate; do
  [[ -f $prefix/$f ]]
  check "installed $f" $?
done

"$prefix/bin/qgate" --version >"$work/version"
grep -q '^qgate [0-9]' "$work/version" && grep -q '^cpu features: ' "$work/version" && grep -q '^kernel path: ' "$work/version"
check "qgate --version names the version, CPU features and kernel path" $?

# An eval from an unrelated folder, with its own HOME: the report validates against the installed schema and the
# float-output cache lands in ~/.cache/qgate, nothing in the working directory but the report.
mkdir -p "$work/elsewhere" "$work/home"
(cd "$work/elsewhere" && env -u QGATE_CACHE -u XDG_CACHE_HOME HOME="$work/home" "$prefix/bin/qgate" eval \
   --model "$repo/models/fmnist_cnn.tflite" --data "$data" --limit 300 --no-layers --report r.json >../eval.txt 2>&1)
check "installed qgate: eval exits 0" $?
[[ $(ls -A "$work/elsewhere") == r.json ]] && ls "$work/home/.cache/qgate/float-outputs/"*.bin >/dev/null 2>&1
check "the working directory holds only the report; the cache is under ~/.cache/qgate" $?
validate_reports "$prefix/share/qgate/schema/report.schema.json" "$work/elsewhere/r.json"
check "the report validates against the installed schema" $?

# bash completion from the installed file.
complete_words() {  # WORD... (the last one is being completed)
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _qgate; printf "%s\n" "${COMPREPLY[@]}"' _ \
    "$prefix/share/bash-completion/completions/qgate" "$@"
}
[[ $(complete_words "$prefix/bin/qgate" ev) == eval ]]
check "completion: 'qgate ev' -> eval" $?
grep -qx -- --no-layers <<<"$(complete_words "$prefix/bin/qgate" eval --no-)"
check "completion: 'qgate eval --no-' offers --no-layers (from eval --help)" $?
grep -qx tflite-dynamic <<<"$(complete_words "$prefix/bin/qgate" eval --scheme tfl)"
check "completion: --scheme offers the presets" $?

# The Debian package.
(cd "$work" && cpack -G DEB -B "$work/pkg" --config "$build/CPackConfig.cmake" >"$work/cpack.log" 2>&1)
debs=("$work"/pkg/qgate_*.deb)
deb=${debs[0]}
[[ -f $deb ]] || deb=""
[[ -n $deb ]]
check "cpack -G DEB makes qgate_<version>_<arch>.deb" $?
depends=$(dpkg-deb -f "$deb" Depends 2>/dev/null)
echo "Depends: $depends"
# Every shared library the binary needs must come from a package in Depends.
missing=0
for soname in $(readelf -d "$prefix/bin/qgate" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  path=$(ldconfig -p | awk -v s="$soname" '$1 == s && /x86-64/ && !found {print $NF; found = 1}')
  # dpkg records a library under /lib or /usr/lib (merged /usr): ask for both.
  pkg=$( (dpkg -S "$path" || dpkg -S "/usr$path") 2>/dev/null | sed -n '1s/:.*//p')
  if [[ -z $pkg || $depends != *"$pkg "* && $depends != *"$pkg," && $depends != *"$pkg" ]]; then
    echo "  $soname ($path, package '${pkg:-?}') is not in Depends"
    missing=$((missing + 1))
  fi
done
[[ $missing -eq 0 && -n $depends ]]
check "every NEEDED library's package is declared in Depends" $?
dpkg-deb -x "$deb" "$work/deb"
(cd "$work/elsewhere" && env -u QGATE_CACHE HOME="$work/home" "$work/deb/usr/bin/qgate" eval \
   --model "$repo/models/fmnist_cnn.tflite" --data "$data" --limit 300 --no-layers --report d.json >/dev/null 2>&1)
check "qgate from the .deb: eval exits 0" $?
/usr/bin/python3 - "$work/elsewhere/r.json" "$work/elsewhere/d.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for r in (a, b):
    r.pop("timing"); r["manifest"].pop("threads", None)
assert a["model"] == b["model"] and a["verdict"] == b["verdict"], "reports differ"
PY
check "the .deb's qgate gives the installed qgate's report" $?
[[ -f $work/deb/usr/share/bash-completion/completions/qgate && -f $work/deb/usr/share/qgate/schema/report.schema.json ]]
check "the .deb holds the completion and the schemas" $?

finish
