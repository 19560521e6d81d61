#!/usr/bin/python3
"""Prints the public-model table of docs/models.md as Markdown, by running every parity line of
tests/public_models/cases.txt as its ctest case would (same arguments), with fresh goldens and timing runs.

    /usr/bin/python3 scripts/public_models_table.py [--qgate build/qgate] [--cache .cache/models] [--long]

One row per parity line: the case, the model file and the package that ships it (tests/public_models/models.tsv;
MediaPipe and torchvision models are named by their own scripts), what it does, the input it is fed, the status
(run, or the refusal qgate prints today), the worst NMSE over the outputs and seeds 1-3, qgate's median run time
(`qgate run --repeat 5`, model load excluded) and the reference runtime's median (5 runs after a warm-up, one
thread), and the scheme `qgate eval` completes under (the eval line of the same case). The TFLite interpreter
runs one Infer() on a fresh runner (recurrent state would carry over), which is no speed figure: for a .tflite
whose parity reference is the interpreter, the time column is LiteRT's on the same file and seed 1 (without the
extra pre-saturation outputs, which LiteRT.js refuses on these files), the interpreter's only when LiteRT cannot
run the model either. Lines of status long / refused-long
run only with --long. Exit status: 1 when a case fails (its row says FAIL), else 0.
"""
import argparse
import re
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "tests" / "public_models" / "cases.txt"
RECORD = REPO / "tests" / "public_models" / "models.tsv"


def read_cases():
    defaults, lines = {}, []
    for raw in CASES.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        w = shlex.split(raw)
        if w[0].startswith("@"):
            defaults[w[0][1:]] = w[1:]
            continue
        status, test, case, model, *args = w
        lines.append({"status": status, "test": test, "case": case, "model": model, "args": args})
    return defaults, lines


def source_of(model, record):
    if model in record:
        return record[model]["package"], record[model]["kind"]
    if "_random_dyn" in model:
        return "scripts/make_onnx_models.py --dynamic", "image classifier (torchvision, seeded weights)"
    return "@mediapipe (scripts/fetch_models)", "-"


def without(args, flag, takes_value=True):
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a == flag:
            skip = takes_value
        else:
            out.append(a)
    return out


def run_parity(line, defaults, qgate, cache, extra=()):
    # The case's arguments without its --qgate-repeat, then timing: 5 qgate runs, 5 reference runs, fresh goldens.
    args = without(defaults["parity"] + line["args"], "--qgate-repeat") + ["--qgate-repeat", "5", "--runs", "5",
                                                                          "--no-cache", *extra]
    cmd = ["node", str(REPO / "tests" / "parity" / "parity.mjs"), "--qgate", qgate, "--model", str(cache / line["model"]), *args]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    return r.returncode, r.stdout + r.stderr


def parse(log):
    inputs = re.search(r"inputs (.*)", log)
    nmse = [float(x) for x in re.findall(r"NMSE ([0-9.e+-]+) maxabs", log)]
    qgate = [float(x) for x in re.findall(r"median ([0-9.]+) ms over", log)]
    ref = [float(x) for x in re.findall(r"(?:onnxruntime|LiteRT|TFLite interpreter) ([0-9.]+) ms/run", log)]
    said = re.search(r"qgate: error: (.*)", log)
    shapes = re.findall(r"(\S+) (?:float32|int64|int32|uint8)\(([0-9,]*)\)", inputs.group(1)) if inputs else []
    return {
        "input": ", ".join(f"{n} [{s}]" for n, s in shapes if s) or "-",
        "nmse": max(nmse) if nmse else None,
        "qgate": sorted(qgate)[len(qgate) // 2] if qgate else None,
        "ref": sorted(ref)[len(ref) // 2] if ref else None,
        "said": said.group(1).strip() if said else None,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--qgate", default=str(REPO / "build" / "qgate"))
    ap.add_argument("--cache", default=str(REPO / ".cache" / "models"))
    ap.add_argument("--long", action="store_true", help="also the lines of status long and refused-long")
    a = ap.parse_args()
    record = {}
    for row in RECORD.read_text(encoding="utf-8").splitlines():
        if row.startswith("#") or row.startswith("name\t"):
            continue
        f = row.split("\t")
        record[f[0]] = {"package": f[4], "kind": f[3]}
    defaults, lines = read_cases()
    evals = {l["case"]: l for l in lines if l["test"] == "eval"}
    print("| case | model | package | kind | input | status | worst NMSE | qgate ms | runtime ms | eval |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    failed = 0
    for line in (l for l in lines if l["test"] == "parity"):
        if line["status"].endswith("long") and not a.long:
            continue
        rc, log = run_parity(line, defaults, a.qgate, Path(a.cache))
        p = parse(log)
        refused = line["status"].startswith("refused")
        ref_name = line["args"][line["args"].index("--reference") + 1] if "--reference" in line["args"] else "litert"
        if ref_name == "interpreter" and not refused and rc == 0:
            timing = line | {"args": without(without(line["args"], "--reference") + ["--reference", "litert"],
                                              "--pre-saturation", False)}
            trc, tlog = run_parity(timing, {"parity": without(defaults["parity"], "--pre-saturation", False)},
                                   a.qgate, Path(a.cache), ["--seeds", "1", "--tolerance", "1", "--max-rel", "1"])
            if trc == 0:
                ref_name, p["ref"] = "litert", parse(tlog)["ref"]
        if rc != 0:
            failed += 1
            status = "FAIL: " + (log.strip().splitlines() or ["?"])[-1]
        elif refused:
            status = f"refused: `{p['said']}`"
        else:
            status = line["status"]
        e = evals.get(line["case"])
        ev = "-" if e is None else ("refused" if e["status"].startswith("refused") else e["args"][e["args"].index("--scheme") + 1])
        package, kind = source_of(line["model"], record)
        fmt = lambda v, f: "-" if v is None else f.format(v)
        print(f"| {line['case']} | {line['model']} | {package} | {kind} | {p['input']} | {status} | "
              f"{'-' if refused else fmt(p['nmse'], '{:.1e}')} | {'-' if refused else fmt(p['qgate'], '{:.2f}')} | "
              f"{fmt(p['ref'], '{:.2f}')} ({ref_name}) | {ev} |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
