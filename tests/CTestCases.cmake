# ctest cases. Unit tests: one ctest case per doctest test suite, so a failure names its area.
# The fast default set runs in CI; cases labelled "long" run with `ctest -L long` (scripts/test --long).
set(QGATE_UNIT_SUITES kernels harness)
foreach(suite ${QGATE_UNIT_SUITES})
  add_test(NAME unit.${suite} COMMAND qgate_tests --test-suite=${suite}* --no-skip=false)
endforeach()
