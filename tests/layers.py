#!/usr/bin/python3
"""Dependencies only point down: every #include that crosses folders, checked against the allowed directions.

The layers (docs/architecture.md#layers), top to bottom:

    harness/cli                          the CLI (Boost.Program_options)
    harness/tflite, harness/onnx         importers and writers (FlatBuffers / protobuf + ONNX)
    harness                              graph, ops, executor, PTQ, evaluation, metrics, verdict
    datasets, reports                    data sets (OpenCV, zlib) | the report model and its writers
    kernels, reference                   kernels (math only) | their naive twins (reference -> kernels)
    core                                 value types, errors, files, NPY, SHA-256

The build enforces the same table (each library's include root holds only itself and what it links, CMakeLists.txt);
this check names every crossing at once, with its file and line, and also which folders may include which third-party
headers. Prints the crossings it found per pair of folders; exit 1 on any violation.

    tests/layers.py [REPO]          check the repository
    tests/layers.py --self-test     prove the check fails on an upward include (and on a misplaced library)
"""
import pathlib
import re
import sys

# Folder -> folders it may include (itself always). Longest prefix wins, so harness/cli is not harness.
ALLOWED = {
    "core": [],
    "kernels": [],
    "reference": ["kernels"],
    "datasets": ["core"],
    "reports": ["core"],
    "harness": ["core", "kernels", "datasets", "reports"],
    "harness/tflite": ["harness", "core", "kernels", "datasets", "reports"],
    "harness/onnx": ["harness", "core", "kernels", "datasets", "reports"],
    "harness/cli": ["harness/tflite", "harness/onnx", "harness", "core", "kernels", "datasets", "reports"],
}
# Third-party headers (by include prefix) -> the only folders that may include them.
THIRD_PARTY = {
    "opencv2/": ["datasets"],
    "boost/": ["harness/cli"],
    "flatbuffers/": ["harness/tflite"],
    "tflite_schema_generated.h": ["harness/tflite"],
    "onnx/": ["harness/onnx"],
    "google/protobuf": ["harness/onnx"],
    "zlib.h": ["datasets"],
}
FOLDERS = sorted(ALLOWED, key=len, reverse=True)
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def folder_of(path):
    """The layer a repository-relative path belongs to, or None (tests, scripts, generated code)."""
    for f in FOLDERS:
        if path == f or path.startswith(f + "/"):
            return f
    return None


def check(files):
    """files: iterable of (relative path, text). Returns (violations, crossings {(from, to): count})."""
    violations, crossings = [], {}
    for path, text in files:
        src = folder_of(path)
        if src is None:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            dst = folder_of(inc)
            if dst is not None:
                if dst == src:
                    continue
                crossings[(src, dst)] = crossings.get((src, dst), 0) + 1
                if dst not in ALLOWED[src]:
                    violations.append(f"{path}:{lineno}: {src}/ includes {inc} ({dst}/): {src}/ may include only "
                                      f"{', '.join(d + '/' for d in ALLOWED[src]) or 'itself'}")
                continue
            for prefix, owners in THIRD_PARTY.items():
                if inc.startswith(prefix) and src not in owners:
                    violations.append(f"{path}:{lineno}: {src}/ includes {inc}: only {', '.join(o + '/' for o in owners)} "
                                      f"may include {prefix}")
    return violations, crossings


def repository_files(repo):
    for p in sorted(repo.rglob("*")):
        rel = p.relative_to(repo).as_posix()
        if p.suffix in (".h", ".cpp", ".cc") and p.is_file() and folder_of(rel) is not None:
            yield rel, p.read_text(errors="replace")


def main(argv):
    if argv[1:] == ["--self-test"]:
        bad = [("kernels/gemm.h", '#include "harness/graph.h"\n'),
               ("datasets/idx.cpp", '#include "reports/report.h"\n'),
               ("harness/eval.cpp", '#include "harness/cli/commands.h"\n'),
               ("reports/report.cpp", "#include <opencv2/core.hpp>\n")]
        good = [("harness/cli/eval.cpp", '#include "harness/onnx/import.h"\n#include <boost/program_options.hpp>\n'),
                ("reference/gemm.cpp", '#include "kernels/gemm.h"\n')]
        violations, _ = check(bad + good)
        for v in violations:
            print("expected violation:", v)
        if len(violations) != len(bad):
            print(f"FAIL self-test: {len(violations)} violations reported, {len(bad)} planted")
            return 1
        print(f"self-test passed: each of the {len(bad)} planted upward includes is reported, the allowed ones are not")
        return 0
    repo = pathlib.Path(argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    files = list(repository_files(repo))
    violations, crossings = check(files)
    print(f"{len(files)} files under {', '.join(f + '/' for f in sorted(ALLOWED))}")
    for (src, dst), n in sorted(crossings.items()):
        print(f"  {src + '/':16} -> {dst + '/':16} {n:4} includes")
    if not files or not crossings:
        print("FAIL nothing to check: no source files found")
        return 1
    for v in violations:
        print("VIOLATION", v)
    print(f"{len(violations)} violations")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
