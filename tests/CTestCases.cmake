# ctest cases. The fast default set runs in CI (scripts/test); cases labelled "long" run with
# `scripts/test --long`.
set(QGATE_MODEL_CACHE ${CMAKE_SOURCE_DIR}/.cache/models)
set(QGATE_DEFAULT_MODEL ${QGATE_MODEL_CACHE}/face_detection__face_detection_short_range.tflite)

# Unit tests: one ctest case per doctest suite family, so a failure names its area.
foreach(suite kernels harness datasets)
  add_test(NAME unit.${suite} COMMAND qgate_tests --test-suite=${suite}*)
endforeach()

# ONNX backend node tests shipped in libonnx-testdata: every case of a supported op must pass (exit 77: data absent).
add_test(NAME onnx.conformance COMMAND onnx_conformance /usr/share/libonnx-testdata/data/node
                                                   /usr/share/libonnx-testdata/data/pytorch-converted)
set_tests_properties(onnx.conformance PROPERTIES SKIP_RETURN_CODE 77)

# The CLI's error contract (exit 2, one line, nothing written).
add_test(NAME cli.errors COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_errors.sh $<TARGET_FILE:qgate> ${QGATE_DEFAULT_MODEL})
add_test(NAME cli.run COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_run.sh $<TARGET_FILE:qgate> ${QGATE_DEFAULT_MODEL})
add_test(NAME cli.eval COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_eval.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
# `qgate eval` of the ONNX CNN (NCHW input) gives the same model metrics as the .tflite CNN, float and quantized.
add_test(NAME cli.eval_onnx COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_eval_onnx.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
# PASS / SELECTIVE / NEEDS_QAT on models made to prove each (models/README.md).
add_test(NAME cli.verdicts COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_verdicts.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
# `qgate eval --html` (CNN, SELECTIVE run with sensitivity bars, RNN) and `qgate compare --html` rendered by headless
# Chromium: the charts are in the files and on the screenshots (exit 77 = skipped: chromium not installed).
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
# outputs near the float model's (exit 77 = skipped: model or npm packages absent).
add_test(NAME cli.quantize_litert
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/quantize_litert.sh $<TARGET_FILE:qgate> ${QGATE_DEFAULT_MODEL})
set_tests_properties(cli.quantize_litert PROPERTIES SKIP_RETURN_CODE 77)

# Float parity with LiteRT: one case per real model (tests/parity/models.txt, cache names from scripts/fetch_models).
if(EXISTS ${CMAKE_SOURCE_DIR}/tests/parity/models.txt)
  file(STRINGS ${CMAKE_SOURCE_DIR}/tests/parity/models.txt QGATE_PARITY_MODELS REGEX "^[^#]")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/parity/models.txt)
  foreach(model ${QGATE_PARITY_MODELS})
    string(REGEX REPLACE "\\.tflite$" "" case_name ${model})
    add_test(NAME parity.${case_name}
             COMMAND node ${CMAKE_SOURCE_DIR}/tests/parity/parity.mjs --qgate $<TARGET_FILE:qgate>
                     --model ${QGATE_MODEL_CACHE}/${model})
  endforeach()
endif()

# Parity on the repository's own models, float and hybrid: tests/parity/own_models.txt, one "NAME ARGS..." line per
# ctest case parity.NAME (model paths relative to the repo top; @MODEL_CACHE@ stands for the model cache of
# scripts/fetch_models, which also makes the random-weight ONNX models).
if(EXISTS ${CMAKE_SOURCE_DIR}/tests/parity/own_models.txt)
  file(STRINGS ${CMAKE_SOURCE_DIR}/tests/parity/own_models.txt QGATE_OWN_PARITY REGEX "^[^# \t]")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/parity/own_models.txt)
  foreach(line ${QGATE_OWN_PARITY})
    string(REPLACE "@MODEL_CACHE@" "${QGATE_MODEL_CACHE}" line "${line}")
    separate_arguments(words UNIX_COMMAND "${line}")
    list(POP_FRONT words case_name)
    add_test(NAME parity.${case_name}
             COMMAND node ${CMAKE_SOURCE_DIR}/tests/parity/parity.mjs --qgate $<TARGET_FILE:qgate> --qgate-repeat 1
                     ${words}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  endforeach()
endif()

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
# run by onnxruntime-node with graph optimization all and disabled, bit-exact against `qgate run` (exit 77 =
# skipped: onnxruntime-node absent).
add_test(NAME ort.parity COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/ort_parity.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
set_tests_properties(ort.parity PROPERTIES SKIP_RETURN_CODE 77)
# onnxruntime's com.microsoft DynamicQuantizeLSTM imported as hybrid LSTMs on its int8 weights, against
# onnxruntime-node within NMSE 1e-13 (activation approximations; exit 77 = skipped: onnxruntime-node absent).
add_test(NAME ort.dynamic_quantize_lstm
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/ort_lstm_parity.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
set_tests_properties(ort.dynamic_quantize_lstm PROPERTIES SKIP_RETURN_CODE 77)
# onnxruntime's saturating AVX2 u8s8 GEMM, reached by running it under valgrind: saturate=avx2-u8s8 reproduces it
# exactly for MatMulInteger; ConvInteger (int8 weights) is shown not to saturate (exit 77 = skipped: valgrind or
# onnxruntime-node absent).
add_test(NAME ort.saturation_valgrind
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/ort_saturation.sh $<TARGET_FILE:qgate> ${CMAKE_SOURCE_DIR})
set_tests_properties(ort.saturation_valgrind PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
