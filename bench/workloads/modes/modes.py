#!/usr/bin/env python3
"""modes.py - measurements and tables of the modes section (sections/87-modes.sh).

  modes.py gradc NAME EXPR OUT.cpp --gradc PATH [--args "..."] [--reps 5] [--budget 10] [--timeout 300]
      run `gradc EXPR -o OUT.cpp --stats ARGS` while fewer than REPS runs took
      less than BUDGET seconds (at least once); record the median wall time,
      peak memory, the `mode:` line (the chosen mode and both operation
      counts), the kernel nodes and the operations of each kernel in OUT.cpp.
  modes.py gxx NAME KEY CPP OBJ [--timeout 120] [--predict-from NAME:KEY]
      g++ $BENCH_CXXFLAGS -c CPP under the time limit; with --predict-from,
      not tried when the other file's g++ time, scaled linearly by the size
      of the C++ (g++ is at best linear), already exceeds the limit.
  modes.py eval NAME KEY EXPR --gradc PATH [--args "..."] [--timeout 60] [--ref FILE]
      gradc EXPR --eval ... --stats ARGS, once: the whole process and the
      `eval` pass; the JSON it prints is kept beside the record and compared
      with FILE's (the largest relative difference of the derivatives).
  modes.py sympy NAME EXPR OUT.cpp [--timeout 60] [--reps 3] [--budget 15]
      workloads/modes/sympy_hess.py under the time limit.
  modes.py same NAME CPP CNAME OTHER OTHER_CPP OTHER_CNAME
      record that NAME's C++ is OTHER's but for the kernels' names (exit 1 if not).
  modes.py report pendulum|wide|hessian [--programs a,b]
      the Markdown tables.

Records: $BENCH_OUT/modes/compile/NAME.json (one per program, merged under
a lock, so jobs of the pool may write to the same record); harness results:
$BENCH_OUT/modes/results/NAME.json.
"""
import argparse
import fcntl
import json
import math
import os
import re
import shlex
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, BENCH)
import report  # noqa: E402  (fmt_time, fmt_ratio, fmt_diff, mark)
import tools  # noqa: E402  (run_measured, split_functions, count_ops)

OUT = os.path.join(os.environ.get("BENCH_OUT", os.path.join(BENCH, "out")), "modes")
PY = os.environ.get("PY", "/usr/bin/python3")
CXX = os.environ.get("CXX", "g++")
CXXFLAGS = os.environ.get("BENCH_CXXFLAGS", "-O2 -std=c++17")
fmt_time, fmt_ratio, fmt_diff, mark = report.fmt_time, report.fmt_ratio, report.fmt_diff, report.mark


# --- records ------------------------------------------------------------------

def record_path(name):
    os.makedirs(os.path.join(OUT, "compile"), exist_ok=True)
    return os.path.join(OUT, "compile", name + ".json")


def update(name, **fields):
    path = record_path(name)
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rec = {"program": name}
        if os.path.exists(path):
            with open(path) as f:
                rec = json.load(f)
        rec.update(fields)
        with open(path + ".tmp", "w") as f:
            json.dump(rec, f, indent=1, sort_keys=True)
        os.replace(path + ".tmp", path)
    return rec


def load(kind, name):
    path = os.path.join(OUT, kind, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else None


def passes_s(stats):
    """Sum of gradc's passes (--stats), seconds."""
    return sum(float(v) * {"ms": 1e-3, "s": 1.0, "us": 1e-6}[u] for v, u in
               re.findall(r"^\s+[a-z][\w-]*\s+([\d.]+) (ms|s|us)\s*$", stats, re.M))


def pass_s(stats, name):
    m = re.search(r"^\s+%s\s+([\d.]+) (ms|s|us)\s*$" % re.escape(name), stats, re.M)
    return float(m.group(1)) * {"ms": 1e-3, "s": 1.0, "us": 1e-6}[m.group(2)] if m else None


def parse_mode(stats):
    """`mode: forward (forward mode: N operations; reverse mode: stopped: ...)`"""
    m = re.search(r"^\s*mode: (\w+) \(forward mode: (.*?); reverse mode: (.*)\)\s*$", stats, re.M)
    if not m:
        return {}
    out = {"mode": m.group(1)}
    for key, text in (("forward", m.group(2)), ("reverse", m.group(3))):
        n = re.fullmatch(r"(\d+) operations", text.strip())
        out["ops_" + key] = int(n.group(1)) if n else None
        out["ops_" + key + "_note"] = None if n else text.strip()
    return out


def kernel_ops(path, name):
    """Operations (tools.count_ops) of each kernel of a generated .cpp,
    its part functions included: {'f': .., 'grad': .., 'hvp': .., 'hess': ..}."""
    if os.path.getsize(path) > 16 << 20:
        return None  # too big to tokenize in reasonable time
    with open(path) as f:
        src = f.read()
    ops = {}
    pat = re.compile(r"^%s(?:_(grad|hess|hvp|jvp|vjp))?(?:_part\d+)?$" % re.escape(name))
    for fn, body in tools.split_functions(src):
        m = pat.match(fn)
        if m:
            k = m.group(1) or "f"
            ops[k] = ops.get(k, 0) + tools.count_ops(body)
    return ops


# --- measuring ------------------------------------------------------------------

def cmd_gradc(a):
    times, peaks, internals, stats = [], [], [], ""
    t_start = time.perf_counter()
    while len(times) < a.reps and (not times or time.perf_counter() - t_start < a.budget):
        status, wall, peak, out, err = tools.run_measured(
            [a.gradc, a.expr, "-o", a.out, "--stats"] + shlex.split(a.args), timeout=a.timeout)
        if status != "ok":
            sys.stderr.write(err.decode(errors="replace")[-2000:] if err else "")
            update(a.name, gradc={"status": status, "timeout_s": a.timeout})
            return
        times.append(wall)
        peaks.append(peak or 0)
        stats = err.decode(errors="replace")
        internals.append(passes_s(stats))
    m = re.search(r"kernel nodes: forward (\d+), gradient (\d+) \(ratio ([\d.]+)\)", stats)
    name = re.search(r"--name[= ](\w+)", a.args)
    rec = {"status": "ok", "median_s": median(times), "reps": len(times), "peak_mb": max(peaks),
           "median_internal_s": median(internals),
           "nodes_fwd": int(m.group(1)) if m else None, "nodes_grad": int(m.group(2)) if m else None,
           "node_ratio": float(m.group(3)) if m else None,
           "cpp_bytes": os.path.getsize(a.out),
           "kernel_ops": kernel_ops(a.out, name.group(1)) if name else None}
    rec.update(parse_mode(stats))
    update(a.name, gradc=rec, cpp=a.out)
    print(json.dumps(rec))


def cmd_gxx(a):
    size = os.path.getsize(a.cpp)
    if a.predict_from:
        other, key = a.predict_from.split(":")
        o = load("compile", other) or {}
        g = o.get(key) or {}
        if g.get("status") == "ok" and g.get("bytes"):
            predicted = g["s"] * size / g["bytes"]
            if predicted > a.timeout:
                update(a.name, **{a.key: {"status": "skipped", "bytes": size, "predicted_s": predicted,
                                          "timeout_s": a.timeout, "from": other}})
                print(f"{a.name} {a.key}: not tried, predicted {predicted:.0f} s")
                return
    cmd = [CXX] + shlex.split(CXXFLAGS) + ["-c", a.cpp, "-o", a.obj]
    status, wall, peak, out, err = tools.run_measured(cmd, timeout=a.timeout)
    rec = {"status": status, "bytes": size, "timeout_s": a.timeout}
    if status == "ok":
        rec.update(s=wall, peak_mb=peak)
    else:
        if os.path.exists(a.obj):
            os.remove(a.obj)
        if status == "error":
            rec["error"] = (err.decode(errors="replace") if err else "")[-400:]
    update(a.name, **{a.key: rec})
    print(json.dumps(rec))


def cmd_same(a):
    """Record NAME as the same C++ as OTHER when the two files differ only
    in the kernels' names (auto picked that mode)."""
    with open(a.cpp) as f:
        mine = f.read().replace(a.cname, a.other_cname)
    with open(a.other_cpp) as f:
        other = f.read()
    if re.sub(r"^//.*\n", "", mine, flags=re.M) == re.sub(r"^//.*\n", "", other, flags=re.M):
        update(a.name, same_as=a.other)
        print(f"{a.name}: same C++ as {a.other}")
    else:
        update(a.name, same_as=None)
        sys.exit(1)


def jac_of(doc):
    """derivatives {out: {wrt: value}} -> {(out, wrt): value}"""
    return {(o, w): v for o, row in doc.get("derivatives", {}).items() for w, v in row.items()}


def max_rel_diff(a, r):
    if set(a) != set(r):
        return float("nan")
    rows = {}
    for (o, _), v in r.items():
        rows[o] = max(rows.get(o, 0.0), abs(v))
    worst = 0.0
    for key, v in r.items():
        den = max(abs(v), 1e-6 * rows[key[0]], 1e-300)
        d = abs(a[key] - v) / den
        if not d <= worst:
            worst = d
    return worst


def cmd_eval(a):
    dump = os.path.join(OUT, "eval", f"{a.name}.{a.key}.json")
    os.makedirs(os.path.dirname(dump), exist_ok=True)
    status, wall, peak, out, err = tools.run_measured(
        [a.gradc, a.expr, "--eval", a.inputs, "--stats"] + shlex.split(a.args), timeout=a.timeout)
    rec = {"status": status, "timeout_s": a.timeout, "args": a.args}
    if status == "ok":
        stats = err.decode(errors="replace")
        rec.update(s=wall, peak_mb=peak, eval_s=pass_s(stats, "eval"), passes_s=passes_s(stats))
        rec.update(parse_mode(stats))
        with open(dump, "wb") as f:
            f.write(out)
        if a.ref and os.path.exists(a.ref) and os.path.abspath(a.ref) != os.path.abspath(dump):
            with open(a.ref) as f:
                ref = jac_of(json.load(f))
            rec["max_rel_diff"] = max_rel_diff(jac_of(json.loads(out)), ref)
    elif status == "error":
        rec["error"] = (err.decode(errors="replace") if err else "")[-400:]
    update(a.name, **{a.key: rec})
    print(json.dumps(rec))


def cmd_sympy(a):
    rec = tools.measure_sympy(
        [PY, os.path.join(HERE, "sympy_hess.py"), a.expr, "--name", a.cname, "-o", a.out],
        a.out, a.reps, a.timeout, a.budget)
    if rec["status"] == "ok":
        rec["cpp_bytes"] = os.path.getsize(a.out)
    update(a.name, sympy=rec)
    print(json.dumps(rec))


# --- tables ---------------------------------------------------------------------------

def fmt_bytes(b):
    if b is None:
        return "-"
    if b < 1 << 20:
        return f"{b / 1024:.0f} KB"
    return f"{b / (1 << 20):.1f} MB"


def fmt_int(n):
    return "-" if n is None else f"{n:,}"


def gradc_cell(g):
    if not g:
        return "-"
    if g.get("status") == "timeout":
        return f"did not finish in {g['timeout_s']:.0f} s"
    if g.get("status") != "ok":
        return "failed"
    reps = "" if g["reps"] > 1 else " (1 run)"
    return f"{fmt_time(g['median_s'])}{reps}"


def gxx_cell(x):
    if not x:
        return "-"
    st = x.get("status")
    if st == "ok":
        return fmt_time(x["s"])
    if st == "timeout":
        return f"stopped at {x['timeout_s']:.0f} s"
    if st == "skipped":
        return f"not tried (~{x['predicted_s']:,.0f} s predicted)"
    return "failed"


def ops_cell(g, key):
    if not g or g.get("status") != "ok":
        return "-"
    n = g.get("ops_" + key)
    if n is not None:
        return f"{n:,}"
    note = g.get("ops_" + key + "_note") or "-"
    return "stopped (over 2× the other)" if note.startswith("stopped") else note


def timing(res, peer, kind):
    p = (res or {}).get("peers", {}).get(peer)
    return p[kind]["median"] if p and kind in p else None


def report_pendulum(a):
    ns = [int(n) for n in a.programs.split(",")]
    modes = ["forward", "reverse", "auto"]
    print("| N | `--mode` | chosen | forward-mode ops | reverse-mode ops | nodes `NAME` → `NAME_grad` (ratio) |"
          " gradc → .cpp | C++ | g++ -O2 | `NAME` | `NAME_grad` | grad ÷ fwd |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in ns:
        res = load("results", f"pendulum_{n}")
        for mode in modes:
            rec = load("compile", f"pendulum_{n}_{mode}") or {}
            g = rec.get("gradc", {})
            ok = g.get("status") == "ok"
            nodes = f"{g['nodes_fwd']:,} → {g['nodes_grad']:,} ({g['node_ratio']:.3g})" if ok else "-"
            if rec.get("same_as"):
                gxx = f"same C++ as `{rec['same_as']}`"
                peer = rec["same_as"]
            else:
                gxx = gxx_cell(rec.get("gxx"))
                peer = mode
            tf, tg = timing(res, peer, "fwd"), timing(res, peer, "grad")
            ratio = fmt_ratio(tg / tf) if tf and tg else "-"
            print(f"| {n:,} | {mode} | {g.get('mode', '-') if ok else '-'} | {ops_cell(g, 'forward')} | "
                  f"{ops_cell(g, 'reverse')} | {nodes} | {gradc_cell(g)} | "
                  f"{fmt_bytes(g.get('cpp_bytes')) if ok else '-'} | {gxx} | {fmt_time(tf)} | {fmt_time(tg)} | {ratio} |")
    print()
    print('<a id="modes-pendulum-targets"></a>\n')
    print("**Targets.** `NAME_grad` ÷ `NAME` in kernel nodes with the mode auto picks (target 3× or less, "
          "at N = 1,000 in particular); auto's `NAME_grad` against the better fixed mode's, in nodes "
          "and in time (target: never above 1×; a time within a few % is noise).\n")
    print("| N | `NAME_grad` ÷ `NAME` nodes, auto | auto ÷ better fixed mode, nodes | "
          "auto ÷ better fixed mode, `NAME_grad` time |")
    print("|---:|---|---|---|")
    for n in ns:
        res = load("results", f"pendulum_{n}")
        recs = {m: load("compile", f"pendulum_{n}_{m}") or {} for m in modes}
        ga = recs["auto"].get("gradc", {})
        if ga.get("status") != "ok":
            print(f"| {n:,} | - | - | - |")
            continue
        fixed = [recs[m]["gradc"]["nodes_grad"] for m in ("forward", "reverse")
                 if recs[m].get("gradc", {}).get("status") == "ok"]
        node_r = ga["nodes_grad"] / min(fixed) if fixed else None
        peer_a = recs["auto"].get("same_as") or "auto"
        ta = timing(res, peer_a, "grad")
        tfix = [timing(res, m, "grad") for m in ("forward", "reverse")]
        tfix = [t for t in tfix if t]
        time_r = ta / min(tfix) if ta and tfix else None
        note = "" if len(tfix) == 2 else " (forward only: reverse not compiled)"
        tcell = "-" if time_r is None else f"{fmt_ratio(time_r)}{note}"
        if recs["auto"].get("same_as"):
            tcell = f"same C++ as {recs['auto']['same_as']}"
        print(f"| {n:,} | {mark(ga['node_ratio'], 3.0, f'pendulum_{n}', 'modes_grad_fwd')} | "
              f"{mark(node_r, 1.0, f'pendulum_{n}', 'modes_auto')} | {tcell} |")
    print()
    print('<a id="modes-pendulum-check"></a>\n')
    print("**Check** before timing: the largest relative difference of each mode's `NAME_grad` Jacobian "
          "from the first compiled mode's (forward), over the first 20 inputs.\n")
    print("| N | reverse | auto |")
    print("|---:|---:|---:|")
    for n in ns:
        res = load("results", f"pendulum_{n}")
        if not res:
            print(f"| {n:,} | run failed | - |")
            continue
        cells = []
        for m in ("reverse", "auto"):
            p = res["peers"].get(m)
            same = (load("compile", f"pendulum_{n}_{m}") or {}).get("same_as")
            cells.append(fmt_diff(p["max_rel_diff_jac"], p["ok"]) if p else
                         (f"same C++ as {same}" if same else "not compiled"))
        print(f"| {n:,} | " + " | ".join(cells) + " |")
    print()


def eval_cell(e, key=None):
    if not e:
        return "not run"
    st = e.get("status")
    if st == "ok":
        inner = f" ({fmt_time(e['eval_s'])})" if e.get("eval_s") is not None else ""
        return fmt_time(e["s"]) + inner
    if st == "timeout":
        return f"did not finish in {e['timeout_s']:.0f} s"
    if st == "skipped":
        return e.get("why", "not run")
    return "failed"


def report_wide(a):
    name = a.programs
    print("| `--mode` | chosen | forward-mode ops | reverse-mode ops | nodes `NAME` → `NAME_grad` |"
          " gradc → .cpp | peak memory | C++ | `--eval --interp` | `--eval -O0` (JIT) | `--eval` (JIT, -O2) |"
          " max rel. difference |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for mode in ("forward", "reverse", "auto"):
        rec = load("compile", f"{name}_{mode}") or {}
        g = rec.get("gradc", {})
        ok = g.get("status") == "ok"
        nodes = f"{g['nodes_fwd']:,} → {g['nodes_grad']:,}" if ok else "-"
        diffs = [rec[k]["max_rel_diff"] for k in ("interp", "jit_O0", "jit") if
                 rec.get(k, {}).get("max_rel_diff") is not None]
        diff = fmt_diff(max(diffs), max(diffs) <= 1e-9) if diffs else ("reference" if mode == "forward" else "-")
        print(f"| {mode} | {g.get('mode', '-') if ok else '-'} | {ops_cell(g, 'forward')} | {ops_cell(g, 'reverse')} | "
              f"{nodes} | {gradc_cell(g)} | {g.get('peak_mb', 0):.0f} MB | {fmt_bytes(g.get('cpp_bytes'))} | "
              f"{eval_cell(rec.get('interp'))} | {eval_cell(rec.get('jit_O0'))} | {eval_cell(rec.get('jit'))} | {diff} |")
    print()


def report_hessian(a):
    progs = a.programs.split(",")
    print('<a id="modes-hessian-times"></a>\n')
    print("**Time per call** (median; in brackets: the peer's time ÷ gradc's kernel of the same"
          " result: `hess_vec()` ÷ `NAME_hvp`, `hessian()` and SymPy ÷ `NAME_hess`, ADOL-C's"
          " gradient ÷ `NAME_grad`).\n")
    print("| program | in / wrt | gradc `NAME` | `NAME_grad` | `NAME_hvp` | `NAME_hess` | ADOL-C gradient |"
          " ADOL-C `hess_vec()` | ADOL-C `hessian()` | SymPy Hessian |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for p in progs:
        r = load("results", p)
        rec = load("compile", p) or {}
        if not r:
            print(f"| `{p}` | run failed |" + " - |" * 8)
            continue
        t = {k: v["median"] for k, v in r["times"].items()}

        def vs(peer, base):
            if peer not in t:
                return None
            return f"{fmt_time(t[peer])} ({fmt_ratio(t[peer] / t[base])})" if base in t else fmt_time(t[peer])

        hess = fmt_time(t["gradc_hess"]) if "gradc_hess" in t else hess_missing(rec)
        sympy = vs("sympy_hess", "gradc_hess") or sympy_missing(rec)
        print(f"| `{p}` | {r['n_in']} / {r['n_wrt']} | {fmt_time(t['gradc_f'])} | {fmt_time(t['gradc_grad'])} | "
              f"{fmt_time(t['gradc_hvp'])} | {hess} | {vs('adolc_grad', 'gradc_grad')} | "
              f"{vs('adolc_hess_vec', 'gradc_hvp')} | {vs('adolc_hessian', 'gradc_hess')} | {sympy} |")
    print()
    print('<a id="modes-hessian-targets"></a>\n')
    print("**Targets.** `NAME_hvp` ÷ `NAME` (one H v against one forward pass; target 5× or less);"
          " `NAME_hess` ÷ ADOL-C `hessian()` (target below 1×). For scale: `NAME_hvp` and `NAME_hess`"
          " over `NAME_grad`.\n")
    print("| program | `NAME_hvp` ÷ `NAME` | `NAME_hess` ÷ ADOL-C `hessian()` | `NAME_hvp` ÷ `NAME_grad` |"
          " `NAME_hess` ÷ `NAME_grad` |")
    print("|---|---|---|---:|---:|")
    for p in progs:
        r = load("results", p)
        if not r:
            continue
        t = {k: v["median"] for k, v in r["times"].items()}
        h = t.get("gradc_hess")
        hv_f = mark(t["gradc_hvp"] / t["gradc_f"], 5.0, p, "modes_hvp_fwd")
        h_ad = mark(h / t["adolc_hessian"], 1.0, p, "modes_hess_adolc") if h else "(`NAME_hess` not compiled)"
        print(f"| `{p}` | {hv_f} | {h_ad} | {fmt_ratio(t['gradc_hvp'] / t['gradc_grad'])} | "
              f"{fmt_ratio(h / t['gradc_grad']) if h else '-'} |")
    print()
    print('<a id="modes-hessian-check"></a>\n')
    print("**Check** before timing, over the first inputs: the largest relative difference, entry by entry"
          " and row by row as in the other check tables, from the reference Hessian (gradc's `NAME_hess`;"
          " where it is not compiled, k calls of `NAME_hvp` with the unit vectors). `NAME_hess`: its"
          " outputs and Jacobian against `NAME_grad`'s; `NAME_hvp`: k calls with the unit vectors against"
          " `NAME_hess`, and H v against the reference times v; ADOL-C: its Hessian (lower triangle,"
          " mirrored), H v and gradient. Exact peers must agree to 1e-9.\n")
    cols = ["gradc NAME_hess", "gradc NAME_hvp", "ADOL-C hessian()", "ADOL-C hess_vec()", "ADOL-C gradient",
            "SymPy"]
    print("| program | inputs checked | " + " | ".join(c.replace("NAME", "`NAME") + ("`" if "NAME" in c else "")
                                                    for c in cols) + " |")
    print("|---|---:|" + "---:|" * len(cols))
    for p in progs:
        r = load("results", p)
        if not r:
            continue
        cells = []
        for c in cols:
            x = r["check"].get(c)
            cells.append(fmt_diff(x["max_rel_diff"], x["ok"]) if x else "-")
        print(f"| `{p}` | {r['verified_on']:.0f} | " + " | ".join(cells) + " |")
    print()
    print('<a id="modes-hessian-compile"></a>\n')
    print("**Compile.** gradc writes two files per program: `NAME`, `NAME_grad` and `NAME_hvp`"
          " (`--kernels=f,grad,hvp`), and `NAME_hess` alone (`--kernels=hess`), so that a Hessian too"
          " big for g++ does not take the others with it. Operations: `+ - * /`, comparisons, `?:` and"
          " math calls in each kernel's source (stores of constant zeros are not operations). SymPy:"
          " `workloads/modes/sympy_hess.py` (build, `diff` twice, `cse`, `ccode`), whole process.\n")
    print("| program | ops `NAME` / `_grad` / `_hvp` / `_hess` | gradc → f,grad,hvp | gradc → hess |"
          " C++ f,grad,hvp / hess | g++ -O2 f,grad,hvp | g++ -O2 hess | SymPy → C | g++ -O2 SymPy |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for p in progs:
        rk = load("compile", p + "_k") or {}
        rh = load("compile", p + "_hess") or {}
        rec = load("compile", p) or {}
        gk, gh = rk.get("gradc", {}), rh.get("gradc", {})
        ops = dict(gk.get("kernel_ops") or {})
        ops.update({k: v for k, v in (gh.get("kernel_ops") or {}).items() if k == "hess"})
        ops_s = " / ".join(fmt_int(ops.get(k)) for k in ("f", "grad", "hvp", "hess"))
        s = rec.get("sympy")
        if not s:
            st = "not run"
        elif s.get("status") == "ok":
            st = f"{fmt_time(s['median_s'])} ({fmt_time(s.get('median_internal_s'))})"
        elif s.get("status") == "timeout":
            st = f"did not finish in {s['timeout_s']:.0f} s"
        else:
            st = "failed"
        print(f"| `{p}` | {ops_s} | {gradc_cell(gk)} | {gradc_cell(gh)} | "
              f"{fmt_bytes(gk.get('cpp_bytes'))} / {fmt_bytes(gh.get('cpp_bytes'))} | {gxx_cell(rk.get('gxx'))} | "
              f"{gxx_cell(rh.get('gxx'))} | {st} | {gxx_cell(rec.get('gxx_sympy'))} |")
    print()


def hess_missing(rec):
    return "not compiled"


def sympy_missing(rec):
    s = (rec or {}).get("sympy")
    if not s:
        return "not run"
    if s.get("status") == "timeout":
        return f"did not finish in {s['timeout_s']:.0f} s"
    if s.get("status") == "ok":
        return "not compiled"
    return "SymPy failed"


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gradc")
    g.add_argument("name")
    g.add_argument("expr")
    g.add_argument("out")
    g.add_argument("--gradc", required=True)
    g.add_argument("--args", default="")
    g.add_argument("--reps", type=int, default=5)
    g.add_argument("--budget", type=float, default=10)
    g.add_argument("--timeout", type=float, default=300)
    x = sub.add_parser("gxx")
    x.add_argument("name")
    x.add_argument("key")
    x.add_argument("cpp")
    x.add_argument("obj")
    x.add_argument("--timeout", type=float, default=120)
    x.add_argument("--predict-from")
    e = sub.add_parser("eval")
    e.add_argument("name")
    e.add_argument("key")
    e.add_argument("expr")
    e.add_argument("--gradc", required=True)
    e.add_argument("--inputs", required=True)
    e.add_argument("--args", default="")
    e.add_argument("--timeout", type=float, default=60)
    e.add_argument("--ref")
    s = sub.add_parser("sympy")
    s.add_argument("name")
    s.add_argument("expr")
    s.add_argument("out")
    s.add_argument("--cname", required=True, help="the kernel's base name")
    s.add_argument("--timeout", type=float, default=60)
    s.add_argument("--reps", type=int, default=3)
    s.add_argument("--budget", type=float, default=15)
    m = sub.add_parser("same")
    m.add_argument("name")
    m.add_argument("cpp")
    m.add_argument("cname")
    m.add_argument("other")
    m.add_argument("other_cpp")
    m.add_argument("other_cname")
    r = sub.add_parser("report")
    r.add_argument("table", choices=["pendulum", "wide", "hessian"])
    r.add_argument("--programs", required=True)
    a = ap.parse_args()
    if a.cmd == "report":
        {"pendulum": report_pendulum, "wide": report_wide, "hessian": report_hessian}[a.table](a)
    else:
        {"gradc": cmd_gradc, "gxx": cmd_gxx, "eval": cmd_eval, "sympy": cmd_sympy, "same": cmd_same}[a.cmd](a)


if __name__ == "__main__":
    main()
