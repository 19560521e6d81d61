#!/usr/bin/env bash
# The .deb on a bare Debian 12: debootstrap a minimal bookworm root into a scratch folder (from the mirror this
# machine's apt uses), `apt-get install ./qgate_*.deb` inside it (apt resolves the declared dependencies and nothing
# else is there), then run an eval with the installed qgate. Long (several minutes, downloads ~150 MB from the
# Debian mirror): ctest label "long", run by `./scripts/test --long`. Needs root and debootstrap (scripts/setup).
# Usage: deb_bare_debian.sh BUILD_DIR REPO_TOP
set -uo pipefail
build=$1
repo=$2
source "$(dirname "$0")/lib.sh"
if [[ $(id -u) -ne 0 ]]; then echo "SKIP needs root for debootstrap and chroot"; exit 77; fi
command -v debootstrap >/dev/null || { echo "FAIL debootstrap missing (scripts/setup installs it)"; exit 1; }
mirror=$(sed -n '/^URIs: */{s///p;q}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
[[ -n $mirror ]] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[[ -n $mirror ]] || { echo "FAIL no Debian mirror found in this machine's apt sources"; exit 1; }

(cd "$work" && cpack -G DEB -B "$work/pkg" --config "$build/CPackConfig.cmake" >"$work/cpack.log" 2>&1)
debs=("$work"/pkg/qgate_*.deb)
deb=${debs[0]}
[[ -f $deb ]] || deb=""
[[ -n $deb ]]
check "cpack -G DEB" $?

root=$work/root
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1
status=$?
[[ $status -eq 0 ]] || tail -n 20 "$work/debootstrap.log"
check "debootstrap a minimal bookworm root" $status
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
cp "$deb" "$root/tmp/"
mkdir -p "$root/data"
cp "$repo/models/fmnist_cnn.tflite" /usr/share/datasets/fashion-mnist/t10k-*-ubyte.gz "$root/data/"
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends /tmp/$(basename "$deb")" >"$work/apt.log" 2>&1
status=$?
[[ $status -eq 0 ]] || tail -n 20 "$work/apt.log"
check "apt-get install ./$(basename "$deb") in the bare root" $status
chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root qgate --version
check "qgate --version in the bare root" $?
chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root sh -c 'cd /data && qgate eval --model fmnist_cnn.tflite \
  --data idx:t10k-images-idx3-ubyte.gz,t10k-labels-idx1-ubyte.gz --limit 500 --no-layers --report r.json' >"$work/eval.txt" 2>&1
status=$?
tail -n 3 "$work/eval.txt"
[[ $status -eq 0 && -s $root/data/r.json ]]
check "qgate eval in the bare root exits 0 with a report" $?
finish
