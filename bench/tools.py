#!/usr/bin/env python3
"""tools.py - measurement helpers for the benchmark scripts (bench/lib.sh).

  tools.py gradc  NAME EXPR OUT.cpp --gradc PATH [--reps 5] [--gradc-args "..."]
      run `gradc EXPR -o OUT.cpp --stats` REPS times; record the median wall
      time, peak resident memory and the kernel node counts.
  tools.py sympy  NAME EXPR OUT.cpp [--timeout 120] [--reps 5] [--budget 15]
      run the SymPy peer (workloads/sympy_gen.py) under a time limit; repeat
      while the repetitions so far took less than BUDGET seconds, at most REPS.
  tools.py size   NAME   count lines and operations of the generated files.

Records go to $BENCH_OUT/compile/NAME.json (one per program, merged).
Wall times are measured around the whole process (fork to exit); peak
memory is the child's ru_maxrss from wait4.
"""
import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

OUT = os.environ.get("BENCH_OUT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
PY = os.environ.get("PY", "/usr/bin/python3")
HERE = os.path.dirname(os.path.abspath(__file__))


def record_path(name):
    os.makedirs(os.path.join(OUT, "compile"), exist_ok=True)
    return os.path.join(OUT, "compile", name + ".json")


def update_record(name, **fields):
    path = record_path(name)
    rec = {"program": name}
    if os.path.exists(path):
        with open(path) as f:
            rec = json.load(f)
    rec.update(fields)
    with open(path, "w") as f:
        json.dump(rec, f, indent=1, sort_keys=True)
    return rec


def run_once(cmd, timeout=None, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
    """Run cmd; returns (status, wall seconds, None, stdout, stderr).
    status: 'ok', 'timeout' or 'error'."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return "timeout", time.perf_counter() - t0, None, out, err
    wall = time.perf_counter() - t0
    return ("ok" if p.returncode == 0 else "error"), wall, None, out, err


def run_measured(cmd, timeout=None):
    """Like run_once, with the child's own peak RSS (via /usr/bin/time)."""
    tf = os.path.join(OUT, "time.%d.txt" % os.getpid())
    status, wall, _, out, err = run_once(["/usr/bin/time", "-f", "%M", "-o", tf] + cmd, timeout)
    peak = None
    try:
        with open(tf) as f:
            lines = [l for l in f.read().split("\n") if l.strip()]
        peak = int(lines[-1]) / 1024.0
    except (OSError, ValueError, IndexError):
        pass
    if os.path.exists(tf):
        os.remove(tf)
    return status, wall, peak, out, err


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else None


def cmd_gradc(a):
    times, peaks, internals, stats = [], [], [], ""
    for _ in range(a.reps):
        status, wall, peak, out, err = run_measured(
            [a.gradc, a.expr, "-o", a.out, "--stats"] + shlex.split(a.gradc_args), timeout=a.timeout)
        if status != "ok":
            sys.stderr.write(err.decode(errors="replace") if err else "")
            update_record(a.name, gradc={"status": status})
            sys.exit(1)
        times.append(wall)
        peaks.append(peak or 0)
        stats = err.decode(errors="replace")
        # gradc's own time: the sum of its passes (--stats), without process
        # start-up and dynamic loading
        internals.append(sum(float(v) * {"ms": 1e-3, "s": 1.0, "us": 1e-6}[u] for v, u in
                             re.findall(r"^\s+[a-z][\w-]*\s+([\d.]+) (ms|s|us)\s*$", stats, re.M)))
    m = re.search(r"kernel nodes: forward (\d+), gradient (\d+) \(ratio ([\d.]+)\)", stats)
    dag = re.search(r"forward DAG:\s+(\d+) nodes", stats)
    rec = {"status": "ok", "median_s": median(times), "min_s": min(times), "reps": len(times),
           "median_internal_s": median(internals),
           "peak_mb": max(peaks),
           "nodes_fwd": int(m.group(1)) if m else None, "nodes_grad": int(m.group(2)) if m else None,
           "node_ratio": float(m.group(3)) if m else None,
           "dag_fwd": int(dag.group(1)) if dag else None}
    statements = count_statements(a.expr)
    update_record(a.name, gradc=rec, statements=statements, expr=a.expr,
                  expr_bytes=os.path.getsize(a.expr))
    print(json.dumps(rec))


def count_statements(path):
    n = 0
    with open(path) as f:
        for line in f:
            line = re.split(r"#|//", line, maxsplit=1)[0]
            for s in line.split(";"):
                s = s.strip()
                if s and not re.match(r"(input|output|wrt)\b", s):
                    n += 1
    return n


def measure_sympy(cmd, out_path, reps, timeout, budget):
    """Run a SymPy code generator `cmd` (which writes `out_path` and prints a
    JSON line with "total_without_import" last) up to `reps` times within
    `budget` seconds; the record of its median time and peak memory."""
    times, internals, peaks = [], [], []
    t_start = time.perf_counter()
    status, err = "ok", b""
    for _ in range(reps):
        status, wall, peak, out, err = run_measured(cmd, timeout=timeout)
        if status != "ok":
            break
        times.append(wall)
        peaks.append(peak or 0)
        try:
            internals.append(json.loads(out.decode().strip().splitlines()[-1])["total_without_import"])
        except (ValueError, IndexError, KeyError):
            pass
        if time.perf_counter() - t_start > budget:
            break
    if status != "ok" and os.path.exists(out_path):
        os.remove(out_path)
    rec = {"status": status if not times else "ok", "timeout_s": timeout}
    if times:
        rec.update(median_s=median(times), reps=len(times), peak_mb=max(peaks),
                   median_internal_s=median(internals) if internals else None)
    if status == "error" and not times:
        rec["error"] = (err.decode(errors="replace") if err else "")[-400:]
    return rec


def cmd_sympy(a):
    rec = measure_sympy(
        [PY, os.path.join(HERE, "workloads", "sympy_gen.py"), a.expr, "--name", a.name, "-o", a.out],
        a.out, a.reps, a.timeout, a.budget)
    update_record(a.name, sympy=rec)
    print(json.dumps(rec))
    if rec["status"] != "ok":
        sys.exit(2)


# --- size of generated code --------------------------------------------------
MATH = set("exp log log1p expm1 sqrt cbrt sin cos tan asin acos atan atan2 sinh cosh tanh erf "
           "fabs abs floor ceil pow fmax fmin copysign".split())
TOKENS = re.compile(r"\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|[A-Za-z_]\w*(?:::\w+)*"
                    r"|==|!=|<=|>=|&&|\|\||->|\+\+|--|[-+*/<>?!]|\S")


def count_ops(body):
    """Arithmetic operations in straight-line C++: + - * / (unary minus too),
    comparisons, ?:, logical operators, and calls of math functions."""
    n = 0
    toks = TOKENS.findall(body)
    for i, t in enumerate(toks):
        if t in ("+", "-", "*", "/", "<", ">", "<=", ">=", "==", "!=", "?", "&&", "||", "!"):
            # skip pointer declarations "double* const" and "const double*"
            if t == "*" and i > 0 and toks[i - 1] == "double":
                continue
            n += 1
        elif (t.split("::")[-1] in MATH) and i + 1 < len(toks) and toks[i + 1] == "(":
            n += 1
    return n


def split_functions(src):
    """(name, body) of every top-level function in a generated .cpp."""
    src = re.sub(r"//[^\n]*", "", src)
    out = []
    for m in re.finditer(r"^(?:extern \"C\" |static )?(?:inline )?void (\w+)\([^)]*\)\s*\{", src, re.M):
        depth, i = 1, m.end()
        while depth and i < len(src):
            depth += {"{": 1, "}": -1}.get(src[i], 0)
            i += 1
        out.append((m.group(1), src[m.end():i - 1]))
    return out


def code_size(path):
    with open(path) as f:
        src = f.read()
    fwd = grad = 0
    for name, body in split_functions(src):
        if "_grad" in name:
            grad += count_ops(body)
        else:
            fwd += count_ops(body)
    return {"lines": src.count("\n"), "ops_fwd": fwd, "ops_grad": grad}


def cmd_size(a):
    fields = {}
    for key, path in (("gradc", a.gradc_cpp), ("sympy", a.sympy_cpp)):
        if path and os.path.exists(path):
            fields[key + "_code"] = code_size(path)
    rec = update_record(a.name, **fields)
    print(json.dumps({k: rec.get(k) for k in fields}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gradc")
    g.add_argument("name")
    g.add_argument("expr")
    g.add_argument("out")
    g.add_argument("--gradc", required=True)
    g.add_argument("--reps", type=int, default=5)
    g.add_argument("--timeout", type=float, default=None)
    g.add_argument("--gradc-args", default="", help="more gradc options, one string")
    s = sub.add_parser("sympy")
    s.add_argument("name")
    s.add_argument("expr")
    s.add_argument("out")
    s.add_argument("--timeout", type=float, default=120)
    s.add_argument("--reps", type=int, default=5)
    s.add_argument("--budget", type=float, default=15)
    z = sub.add_parser("size")
    z.add_argument("name")
    z.add_argument("--gradc-cpp")
    z.add_argument("--sympy-cpp")
    a = ap.parse_args()
    {"gradc": cmd_gradc, "sympy": cmd_sympy, "size": cmd_size}[a.cmd](a)


if __name__ == "__main__":
    main()
