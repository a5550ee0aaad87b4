#!/usr/bin/env python3
"""report.py - Markdown tables and the compile-time plot of bench/README.md,
from the JSON the sections leave in $BENCH_OUT (results/: harness runs,
compile/: gradc and SymPy compile records).

  report.py runtime --id ID --title T --programs a,b [--compile a,b] [--per TEXT]
  report.py compile-table --programs a,b
  report.py plot --programs a,b [--workloads c,d] --out PNG
  report.py summary
  report.py resolve < README.md.tmp   (the reasons of missed targets, from reasons.tsv)

Targets (bench README, not CI gates): grad/fwd <= 3, gradc/hand <= 1.1,
ADOL-C taped >= 10x slower than gradc, SymPy compile >= 100x slower at 10^4
statements. A missed target is marked with the reason from
analysis/reasons.tsv (hand-written, checked in) when there is one.
"""
import argparse
import fnmatch
import glob
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.environ.get("BENCH_OUT", os.path.join(HERE, "out"))
SYMPY_TIMEOUT = float(os.environ.get("SYMPY_TIMEOUT", "120"))

PEERS = [  # key, column title
    ("hand", "hand-written"),
    ("adolc_tape", "ADOL-C taped"),
    ("adolc_retape", "ADOL-C re-taped"),
    ("ceres", "Ceres Jet"),
    ("sympy", "SymPy C"),
    ("fd", "central FD"),
]
TARGETS = {"grad_fwd": 3.0, "hand": 1.1, "adolc": 10.0, "compile": 100.0}


def load(kind, name):
    path = os.path.join(OUT, kind, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def reasons():
    rows = []
    path = os.path.join(HERE, "analysis", "reasons.tsv")
    if os.path.exists(path):
        for line in open(path):
            if line.strip() and not line.startswith("#"):
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3:
                    rows.append(parts + [""] * (4 - len(parts)))
    return rows


REASONS = reasons()


def reason_for(program, target):
    for glob_, tgt, text, anchor in REASONS:
        if tgt == target and fnmatch.fnmatch(program, glob_):
            link = f" ([profile](#{anchor}))" if anchor else ""
            return text + link
    return "no analysis yet"


# --- formatting ----------------------------------------------------------------

def fmt_time(s):
    if s is None:
        return "-"
    if s < 1e-6:
        return f"{s * 1e9:.3g} ns"
    if s < 1e-3:
        return f"{s * 1e6:.3g} µs"
    if s < 1:
        return f"{s * 1e3:.3g} ms"
    return f"{s:.3g} s"


def fmt_ratio(r):
    if r is None or not math.isfinite(r):
        return "-"
    if r >= 100:
        return f"{r:,.0f}×"
    return f"{r:.3g}×"


def fmt_diff(d, ok=True):
    if d is None:
        return "-"
    s = "0" if d == 0 else f"{d:.1e}"
    return s if ok else f"**{s} MISMATCH**"


def grad_time(res, peer):
    p = res["peers"].get(peer) if res else None
    return p["grad"]["median"] if p and "grad" in p else None


def fwd_time(res, peer):
    p = res["peers"].get(peer) if res else None
    return p["fwd"]["median"] if p and "fwd" in p else None


def paired(res, key):
    """A target ratio timed pair by pair (harness.hpp, paired_ratio), if the run has it."""
    return (res.get("paired") or {}).get(key) if res else None


def hand_ratio(res):
    """gradc's NAME_grad over the hand-written gradient, timed pair by pair where measured so."""
    h = grad_time(res, "hand")
    if not h:
        return None
    return paired(res, "hand") or grad_time(res, "gradc") / h


def cheap_ratio(res):
    """Kernel time of NAME_grad over NAME (gradc), timed pair by pair where measured so."""
    if paired(res, "grad_fwd"):
        return paired(res, "grad_fwd")
    g = res["peers"].get("gradc", {})
    if "kernel_grad" in g:
        return g["kernel_grad"]["median"] / g["kernel_fwd"]["median"]
    if "grad" in g and "fwd" in g:
        return g["grad"]["median"] / g["fwd"]["median"]
    return None


def mark(value, target, program, key, higher_is_better=False):
    if value is None:
        return "-"
    ok = value >= target if higher_is_better else value <= target
    if ok:
        return f"{fmt_ratio(value)} ✓"
    # The reason is filled in when scripts/bench.sh assembles README.md
    # (`report.py resolve`), so editing analysis/reasons.tsv and running
    # `bash scripts/bench.sh 99` updates the tables without measuring again.
    return f"{fmt_ratio(value)} **missed**: <!--reason:{program}:{key}-->"


def cmd_resolve(a):
    import re
    import sys
    text = sys.stdin.read()
    sys.stdout.write(re.sub(r"<!--reason:([^:>]+):([^:>]+)-->", lambda m: reason_for(m.group(1), m.group(2)),
                            text))


def sympy_cell(prog_names):
    """'did not finish' text when SymPy did not produce a program."""
    for n in prog_names:
        c = load("compile", n)
        if c and c.get("sympy", {}).get("status") == "timeout":
            return f"did not finish in {c['sympy']['timeout_s']:.0f} s"
        if c and c.get("sympy", {}).get("status") == "error":
            return "SymPy failed"
    return "-"


# --- runtime sections -----------------------------------------------------------

def cmd_runtime(a):
    programs = a.programs.split(",")
    compiled = a.compile.split(",") if a.compile else programs
    kernel_of = {}  # program -> compile records behind it
    for p in programs:
        kernel_of[p] = [c for c in compiled if c == p or c.replace("_point", "").replace("_rest", "") == p]
    os.makedirs(os.path.join(OUT, "sections"), exist_ok=True)
    with open(os.path.join(OUT, "sections", a.id + ".json"), "w") as f:
        json.dump({"id": a.id, "title": a.title, "programs": programs}, f)

    results = {p: load("results", p) for p in programs}
    have_variant = any(r and "gradc_variant" in r["peers"] for r in results.values())
    print(f'<a id="{a.id}-times"></a>\n')
    print(f"**Time {a.per}** (median; in brackets: that peer's time ÷ gradc's `NAME_grad`, "
          "so 10× means gradc is ten times faster).\n")
    cols = ["program", "in / wrt / out", "gradc `NAME`", "gradc `NAME_grad`"]
    if have_variant:
        cols.append("gradc, variant")
    cols += [t for _, t in PEERS]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * 2 + "---:|" * (len(cols) - 2))
    for p in programs:
        r = results[p]
        if not r:
            print(f"| {p} | run failed | " + " | ".join(["-"] * (len(cols) - 2)) + " |")
            continue
        g = grad_time(r, "gradc")
        row = [f"`{p}`", f"{r['n_in']} / {r['n_wrt']} / {r['n_out']}", fmt_time(fwd_time(r, "gradc")),
               fmt_time(g)]
        peer_keys = (["gradc_variant"] if have_variant else []) + [k for k, _ in PEERS]
        for k in peer_keys:
            t = grad_time(r, k)
            if t is None:
                if k == "sympy":
                    row.append(sympy_cell(kernel_of[p]))
                elif k == "hand":
                    row.append("(none)")
                else:
                    row.append("-")
            else:
                row.append(f"{fmt_time(t)} ({fmt_ratio(t / g)})")
        print("| " + " | ".join(row) + " |")
    print()

    print(f'<a id="{a.id}-targets"></a>\n')
    print("**Targets.** grad ÷ fwd is the kernel time of gradc's `NAME_grad` over its `NAME`"
          " (the cheap-gradient ratio; target 3× or less); gradc ÷ hand-written: 1.1× or less;"
          " ADOL-C taped ÷ gradc: 10× or more. The first two are timed apart, the two kernels"
          " back to back, repetition by repetition (the median of 9 paired ratios), so that"
          " the shared machine's speed, which drifts during a run, falls on both; they can"
          " differ from the ratio of the medians above, which are timed in turn with every peer.\n")
    print("| program | grad ÷ fwd | gradc ÷ hand-written | ADOL-C taped ÷ gradc |")
    print("|---|---|---|---|")
    for p in programs:
        r = results[p]
        if not r:
            continue
        g = grad_time(r, "gradc")
        h = hand_ratio(r)
        ad = grad_time(r, "adolc_tape")
        print(f"| `{p}` | {mark(cheap_ratio(r), TARGETS['grad_fwd'], p, 'grad_fwd')} | "
              f"{mark(h, TARGETS['hand'], p, 'hand') if h else '(no hand-written code)'} | "
              f"{mark(ad / g if ad else None, TARGETS['adolc'], p, 'adolc', True)} |")
    print()

    print(f'<a id="{a.id}-check"></a>\n')
    print("**Check** before timing: the largest relative difference of each peer's derivatives"
          " from gradc's, entry by entry (an entry is compared with its row's largest entry when"
          " it is a million times smaller), over the first inputs. Exact peers must agree to"
          " 1e-9, central differences to 1e-3.\n")
    ck = [k for k in (["gradc_variant"] if have_variant else []) + [k for k, _ in PEERS]]
    names = dict(PEERS, gradc_variant="gradc, variant")
    print("| program | inputs checked | " + " | ".join(names[k] for k in ck) + " |")
    print("|---|---:|" + "---:|" * len(ck))
    for p in programs:
        r = results[p]
        if not r:
            continue
        cells = []
        for k in ck:
            pr = r["peers"].get(k)
            cells.append(fmt_diff(pr["max_rel_diff_jac"], pr["ok"]) if pr else "-")
        print(f"| `{p}` | {r['verified_on']:.0f} | " + " | ".join(cells) + " |")
    print()

    print(f'<a id="{a.id}-compile"></a>\n')
    print("**Compile time and generated code.** gradc: `gradc P.expr -o P.cpp`, median of "
          "the runs, whole process (in brackets: the sum of its passes from `--stats`, without "
          "start-up). SymPy: `workloads/sympy_gen.py` (build, `diff`, `cse`, `ccode`), whole process "
          "(in brackets: without `import sympy`). Operations: `+ - * /`, comparisons, `?:` and "
          "math calls in the `_grad` kernel's source, counted the same way in both; gradc's kernel "
          "nodes are from `--stats`.\n")
    print("| program | statements | gradc | SymPy | SymPy ÷ gradc | lines gradc / SymPy |"
          " ops `_grad` gradc / SymPy | nodes `NAME` → `NAME_grad` |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for c in compiled:
        rec = load("compile", c)
        if not rec:
            continue
        g = rec.get("gradc", {})
        s = rec.get("sympy", {})
        gc, sc = rec.get("gradc_code", {}), rec.get("sympy_code", {})
        gt = f"{fmt_time(g.get('median_s'))} ({fmt_time(g.get('median_internal_s'))})"
        if s.get("status") == "ok":
            st = f"{fmt_time(s.get('median_s'))} ({fmt_time(s.get('median_internal_s'))})"
            ratio = fmt_ratio(s["median_s"] / g["median_s"])
        elif s.get("status") == "timeout":
            st = f"did not finish in {s['timeout_s']:.0f} s"
            ratio = f"> {fmt_ratio(s['timeout_s'] / g['median_s'])}"
        else:
            st, ratio = "-", "-"
        lines = f"{gc.get('lines', '-')} / {sc.get('lines', '-')}"
        ops = f"{gc.get('ops_grad', '-')} / {sc.get('ops_grad', '-')}"
        nodes = f"{g.get('nodes_fwd', '-')} → {g.get('nodes_grad', '-')}"
        print(f"| `{c}` | {rec.get('statements', '-')} | {gt} | {st} | {ratio} | {lines} | {ops} | {nodes} |")
    print()


# --- compile-time section ------------------------------------------------------------

def cmd_compile_table(a):
    print("| statements | .expr size | gradc time | gradc peak memory | `NAME_grad` / `NAME` nodes |"
          " SymPy time | SymPy peak memory | SymPy ÷ gradc |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in a.programs.split(","):
        rec = load("compile", c)
        if not rec:
            continue
        g, s = rec.get("gradc", {}), rec.get("sympy")
        size = rec.get("expr_bytes", 0)
        size_s = f"{size / 1024:.0f} KB" if size < 1 << 20 else f"{size / (1 << 20):.1f} MB"
        if s is None:
            st, sm, ratio = "not run", "-", "-"
        elif s.get("status") == "ok":
            st = f"{fmt_time(s['median_s'])} ({fmt_time(s.get('median_internal_s'))})"
            sm = f"{s['peak_mb']:.0f} MB"
            ratio = fmt_ratio(s["median_s"] / g["median_s"])
        elif s.get("status") == "timeout":
            st, sm = f"did not finish in {s['timeout_s']:.0f} s", "-"
            ratio = f"> {fmt_ratio(s['timeout_s'] / g['median_s'])}"
        elif s.get("status") == "skipped":
            st, sm, ratio = s.get("why", "not run"), "-", "-"
        else:
            st, sm, ratio = "failed", "-", "-"
        print(f"| {rec['statements']:,} | {size_s} | {fmt_time(g.get('median_s'))} "
              f"({fmt_time(g.get('median_internal_s'))}) | {g.get('peak_mb', 0):.0f} MB | "
              f"{g.get('node_ratio', '-')} | {st} | {sm} | {ratio} |")
    print()


def cmd_plot(a):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs_g, ys_g, ys_gi, xs_s, ys_s, ys_si, xs_t, tmo = [], [], [], [], [], [], [], SYMPY_TIMEOUT
    for c in a.programs.split(","):
        rec = load("compile", c)
        if not rec:
            continue
        n = rec["statements"]
        xs_g.append(n)
        ys_g.append(rec["gradc"]["median_s"])
        ys_gi.append(rec["gradc"].get("median_internal_s") or float("nan"))
        s = rec.get("sympy", {})
        if s.get("status") == "ok":
            xs_s.append(n)
            ys_s.append(s["median_s"])
            ys_si.append(s.get("median_internal_s") or float("nan"))
        elif s.get("status") == "timeout":
            xs_t.append(n)
            tmo = s["timeout_s"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.8), dpi=100)
    ax.loglog(xs_g, ys_g, "o-", color="tab:blue", label="gradc → C++ (whole process)")
    ax.loglog(xs_g, ys_gi, "o--", color="tab:blue", alpha=0.5, label="gradc, sum of passes (--stats)")
    if xs_s:
        ax.loglog(xs_s, ys_s, "s-", color="tab:red", label="SymPy diff + cse + ccode (whole process)")
        ax.loglog(xs_s, ys_si, "s--", color="tab:red", alpha=0.5, label="SymPy without import")
    if xs_t:
        ax.loglog(xs_t, [tmo] * len(xs_t), "^", color="tab:red", markersize=10,
                  markerfacecolor="none", linestyle="none",
                  label=f"SymPy: did not finish in {tmo:.0f} s")
        ax.axhline(tmo, color="tab:red", lw=0.5, ls=":")
    ax.set_xlabel("program size (statements)")
    ax.set_ylabel("compile time (s)")
    ax.set_title("Random DAG programs")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")

    # The runtime workloads, by the size of their forward kernel.
    pts = []
    for c in (a.workloads.split(",") if a.workloads else []):
        rec = load("compile", c)
        if rec and rec.get("gradc", {}).get("nodes_fwd"):
            pts.append((rec["gradc"]["nodes_fwd"], rec["gradc"]["median_s"],
                        rec["gradc"].get("median_internal_s"), rec.get("sympy", {})))
    pts.sort(key=lambda p: p[0])
    if pts:
        bx.loglog([p[0] for p in pts], [p[1] for p in pts], "o", color="tab:blue",
                  label="gradc (whole process)")
        bx.loglog([p[0] for p in pts], [p[2] for p in pts], "o", color="tab:blue", alpha=0.4,
                  markerfacecolor="none", label="gradc, sum of passes")
        ok = [p for p in pts if p[3].get("status") == "ok"]
        bx.loglog([p[0] for p in ok], [p[3]["median_s"] for p in ok], "s", color="tab:red",
                  label="SymPy (whole process)")
        late = [p for p in pts if p[3].get("status") == "timeout"]
        if late:
            bx.loglog([p[0] for p in late], [p[3]["timeout_s"] for p in late], "^", color="tab:red",
                      markerfacecolor="none", markersize=10, linestyle="none", label="SymPy: did not finish")
    bx.set_xlabel("forward kernel size (nodes, gradc --stats)")
    bx.set_title("Runtime workloads (examples, Rosenbrock, BA, MLP, GMM)")
    bx.grid(True, which="both", alpha=0.3)
    bx.legend(fontsize=8, loc="upper left")
    fig.suptitle("Compile time against program size: gradc → C++ and SymPy → C")
    fig.tight_layout()
    fig.savefig(a.out)


# --- summary -----------------------------------------------------------------------------

def cmd_summary(a):
    secs = []
    for path in sorted(glob.glob(os.path.join(OUT, "sections", "*.json"))):
        with open(path) as f:
            secs.append(json.load(f))
    order = {"examples": 0, "rosenbrock": 1, "ba": 2, "mlp": 3, "gmm": 4}
    secs.sort(key=lambda s: order.get(s["id"], 9))

    def collect(fn):
        vals = []
        for s in secs:
            for p in s["programs"]:
                r = load("results", p)
                if r:
                    v = fn(r)
                    if v is not None:
                        vals.append((v, p, s["id"]))
        return vals

    def span(vals, higher_is_better=False):
        if not vals:
            return "-"
        lo, hi = min(vals), max(vals)
        if len(vals) == 1:
            return f"{fmt_ratio(lo[0])} (`{lo[1]}`)"
        return f"{fmt_ratio(lo[0])} (`{lo[1]}`) to {fmt_ratio(hi[0])} (`{hi[1]}`)"

    def ratio_to(peer):
        def f(r):
            g, t = grad_time(r, "gradc"), grad_time(r, peer)
            return t / g if g and t else None
        return f

    cheap = collect(cheap_ratio)
    hand = collect(hand_ratio)
    rows = [
        ("grad ÷ fwd, gradc kernel time (target ≤ 3×)", cheap, "targets",
         sum(1 for v in cheap if v[0] > TARGETS["grad_fwd"])),
        ("gradc ÷ hand-written (target ≤ 1.1×)", hand, "targets",
         sum(1 for v in hand if v[0] > TARGETS["hand"])),
        # The stricter targets of issue 13 (leaner kernels) and issue 9.
        ("gradc ÷ hand-written, issue 13 (target ≤ 1.0×)", hand, "targets",
         sum(1 for v in hand if v[0] > 1.0)),
    ]
    ba = [v for v in cheap if v[1] == "ba"]
    if ba:
        rows.append(("grad ÷ fwd on bundle adjustment, issues 9 and 13 (target ≤ 2×)", ba,
                     "targets", sum(1 for v in ba if v[0] > 2.0)))
    for peer, title in (("adolc_tape", "ADOL-C taped ÷ gradc (target ≥ 10×)"),
                        ("adolc_retape", "ADOL-C re-taped ÷ gradc"), ("ceres", "Ceres Jet ÷ gradc"),
                        ("sympy", "SymPy-generated C ÷ gradc"), ("fd", "central differences ÷ gradc")):
        vals = collect(ratio_to(peer))
        miss = sum(1 for v in vals if v[0] < TARGETS["adolc"]) if peer == "adolc_tape" else None
        rows.append((title, vals, "times", miss))
    print('<a id="summary"></a>\n')
    print("## Summary\n")
    print("Ranges over every runtime workload (the course programs, extended Rosenbrock, "
          "bundle adjustment, the MLP and the GMM grid); each links to its table.\n")
    print("| ratio | range (program) | misses | median | tables |")
    print("|---|---|---:|---:|---|")
    for title, vals, kind, miss in rows:
        med = sorted(v[0] for v in vals)[len(vals) // 2] if vals else None
        ids = {v[2] for v in vals}  # the sections the row's programs are from
        links = ", ".join(f"[{s['id']}](#{s['id']}-{kind})" for s in secs if s["id"] in ids)
        m = "-" if miss is None else f"{miss} of {len(vals)}"
        print(f"| {title} | {span(vals)} | {m} | {fmt_ratio(med)} | {links} |")
    # compile time at 10^4 statements
    rec = load("compile", "random_10000")
    if rec:
        g = rec["gradc"]["median_s"]
        s = rec.get("sympy", {})
        if s.get("status") == "ok":
            txt = f"{fmt_ratio(s['median_s'] / g)} (SymPy {fmt_time(s['median_s'])}, gradc {fmt_time(g)})"
            ok = s["median_s"] / g >= TARGETS["compile"]
        elif s.get("status") == "timeout":
            txt = (f"more than {fmt_ratio(s['timeout_s'] / g)}: SymPy did not finish in "
                   f"{s['timeout_s']:.0f} s, gradc took {fmt_time(g)}")
            ok = s["timeout_s"] / g >= TARGETS["compile"]
        else:
            txt, ok = "SymPy not run", True
        print(f"| SymPy ÷ gradc compile time, random program of 10^4 statements (target ≥ 100×) | "
              f"{txt} | {'0' if ok else '1'} of 1 | - | [compile time](#compile-time) |")
    print()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("runtime")
    r.add_argument("--id", required=True)
    r.add_argument("--title", default="")
    r.add_argument("--programs", required=True)
    r.add_argument("--compile")
    r.add_argument("--per", default="per call")
    c = sub.add_parser("compile-table")
    c.add_argument("--programs", required=True)
    p = sub.add_parser("plot")
    p.add_argument("--programs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--workloads", help="compile records of the runtime workloads (second panel)")
    sub.add_parser("summary")
    sub.add_parser("resolve", help="fill in the reasons of missed targets (stdin to stdout)")
    a = ap.parse_args()
    {"runtime": cmd_runtime, "compile-table": cmd_compile_table, "plot": cmd_plot,
     "summary": cmd_summary, "resolve": cmd_resolve}[a.cmd](a)


if __name__ == "__main__":
    main()
