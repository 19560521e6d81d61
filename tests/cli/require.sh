# Sourced by the test scripts. Every asset the tests use is installed by scripts/setup (Debian packages such as
# chromium and valgrind, the npm packages, the models of scripts/fetch_models), so a missing one is a failure:
# no test may pass with nothing tested. A developer without them may set QGATE_ALLOW_SKIP=1, which turns the
# failure into exit 77, what ctest reports as skipped (SKIP_RETURN_CODE 77 on the case).
#   missing_asset "WHAT (WHO INSTALLS IT)"   ends the script: exit 1, or 77 under QGATE_ALLOW_SKIP
missing_asset() {
  if [[ -n ${QGATE_ALLOW_SKIP:-} && ${QGATE_ALLOW_SKIP} != 0 ]]; then
    echo "SKIPPED: missing $1 (QGATE_ALLOW_SKIP is set)"
    exit 77
  fi
  echo "FAIL: missing required $1; set QGATE_ALLOW_SKIP=1 to skip instead"
  exit 1
}
