#!/usr/bin/env python3
"""sympy_gen.py - the SymPy peer: read a gradc program, differentiate it with
SymPy (`diff`), share subexpressions (`cse`) and print C++ kernels with the
gradc ABI (`ccode`).

  sympy_gen.py PROG.expr --name NAME -o OUT.cpp [--json TIMES.json]

writes OUT.cpp with

  extern "C" void sympy_NAME(const double* in, double* out);
  extern "C" void sympy_NAME_grad(const double* in, double* out, double* jac);

(jac[i*k + j] = d out_i / d wrt_j, as gradc's kernels) and prints the time of
each phase as JSON. This is what a SymPy user would write: the program is
built as SymPy expressions statement by statement (intermediate names are
Python variables, so shared values are shared SymPy objects), every Jacobian
entry is `sympy.diff(out_i, wrt_j)`, and `sympy.cse` over all outputs and
entries gives the kernel body.

The reader covers the part of gradc's language that the benchmark programs
use: `input` (with array shapes), `output`, `wrt`, statements, + - * / ^ **,
unary -, comparisons, `@`, constant indexing, array literals, `pi` and the
built-ins mapped in FUNCS below. `relu`, `max`, `min` and `where` become
`Piecewise` (SymPy's C printer writes them as `?:`); `logsumexp` is
`log(sum(exp(v)))` without the max shift (SymPy has no stop_gradient; the
benchmark inputs keep it finite).
"""
import argparse
import json
import re
import sys
import time

T0 = time.perf_counter()
import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402
T_IMPORT = time.perf_counter() - T0


# --- elementwise helpers over numpy object arrays ---------------------------
def ew(f):
    def g(*args):
        if any(isinstance(a, np.ndarray) for a in args):
            return np.vectorize(f, otypes=[object])(*args)
        return f(*args)
    return g


def _relu(x):
    return sp.Piecewise((x, x > 0), (0, True))


def _max(a, b):
    return sp.Piecewise((a, a >= b), (b, True))


def _min(a, b):
    return sp.Piecewise((a, a <= b), (b, True))


def _where(c, a, b):
    return sp.Piecewise((a, c), (b, True))


def _sum(v):
    if isinstance(v, np.ndarray):
        return sp.Add(*v.flatten().tolist())
    return v


def _arr(x):
    return np.array(x, dtype=object)


def _softmax(v):
    e = ew(sp.exp)(v)
    return e / _sum(e)


def _logsumexp(v):
    return sp.log(_sum(ew(sp.exp)(v)))


FUNCS = {
    "exp": ew(sp.exp), "log": ew(sp.log), "sqrt": ew(sp.sqrt), "sin": ew(sp.sin),
    "cos": ew(sp.cos), "tan": ew(sp.tan), "tanh": ew(sp.tanh), "atan": ew(sp.atan),
    "sinh": ew(sp.sinh), "cosh": ew(sp.cosh), "abs": ew(sp.Abs), "erf": ew(sp.erf),
    "log1p": ew(lambda x: sp.log(1 + x)), "expm1": ew(lambda x: sp.exp(x) - 1),
    "sigmoid": ew(lambda x: 1 / (1 + sp.exp(-x))),
    "softplus": ew(lambda x: sp.log(1 + sp.exp(x))),
    "relu": ew(_relu), "max": ew(_max), "min": ew(_min), "where": ew(_where),
    "pow": ew(lambda a, b: a**b), "atan2": ew(sp.atan2),
    "sum": _sum, "mean": lambda v: _sum(v) / (v.size if isinstance(v, np.ndarray) else 1),
    "dot": lambda u, v: _sum(u * v), "norm": lambda v: sp.sqrt(_sum(v * v)),
    "softmax": _softmax, "logsumexp": _logsumexp,
    "transpose": lambda a: a.T if isinstance(a, np.ndarray) else a,
    "pi": sp.pi, "_arr": _arr,
}

TOKEN = re.compile(r"\s*(?:(\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)"
                   r"|([A-Za-z_]\w*)|(\*\*|<=|>=|==|!=|&&|\|\||[-+*/^@()\[\],<>!?:]))")


def to_python(src):
    """Rewrite one gradc expression as Python over sympy / numpy values."""
    out, stack, prev = [], [], None
    pos = 0
    src = src.strip()
    while pos < len(src):
        m = TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise SyntaxError(f"cannot read {src[pos:]!r}")
        pos = m.end()
        num, name, op = m.groups()
        if num is not None:
            out.append(num)
            prev = "num"
        elif name is not None:
            out.append(name if name in FUNCS or name.startswith("_") else "v_" + name)
            prev = "name"
        else:
            if op == "^":
                op = "**"
            elif op in ("&&", "||", "!", "?", ":"):
                raise SyntaxError(f"operator {op} is not supported by the SymPy reader")
            if op == "[":
                if prev in ("name", ")", "]"):
                    stack.append("index")
                    out.append("[")
                else:
                    stack.append("literal")
                    out.append("_arr([")
            elif op == "]":
                out.append("]" if stack.pop() == "index" else "])")
            else:
                out.append(op)
            prev = op
    return " ".join(out)


def parse_names(rest):
    """'W[2,3], b[3], x' -> [('W', (2, 3)), ('b', (3,)), ('x', ())]"""
    items = re.findall(r"([A-Za-z_]\w*)\s*(?:\[([\d,\s]*)\])?", rest)
    return [(n, tuple(int(s) for s in dims.split(",")) if dims else ()) for n, dims in items]


def read_program(path):
    env = dict(FUNCS)
    inputs, outputs, wrt, defined = [], [], [], []
    declared = False
    for raw in open(path):
        line = re.split(r"#|//", raw, maxsplit=1)[0]
        for stmt in line.split(";"):
            stmt = stmt.strip()
            if not stmt:
                continue
            m = re.match(r"(input|output|wrt)\s+(.*)$", stmt)
            if m:
                kind, rest = m.groups()
                if kind == "input":
                    declared = True
                    for n, shape in parse_names(rest):
                        inputs.append((n, shape))
                        env["v_" + n] = make_input(n, shape)
                elif kind == "output":
                    outputs += [n for n, _ in parse_names(rest)]
                else:
                    wrt += [n for n, _ in parse_names(rest)]
                continue
            name, expr = stmt.split("=", 1)
            name = name.strip()
            py = to_python(expr)
            if not declared:  # implicit inputs, in order of first use
                for ref in re.findall(r"\bv_(\w+)", py):
                    if "v_" + ref not in env:
                        inputs.append((ref, ()))
                        env["v_" + ref] = make_input(ref, ())
            env["v_" + name] = eval(py, {"__builtins__": {}}, env)
            defined.append(name)
    if not outputs:
        outputs = [defined[-1]]
    if not wrt:
        wrt = [n for n, _ in inputs]
    return inputs, outputs, wrt, env


def make_input(name, shape):
    if not shape:
        return sp.Symbol(name, real=True)
    idx = np.ndindex(*shape)
    flat = [sp.Symbol(name + "_" + "_".join(map(str, i)), real=True) for i in idx]
    return np.array(flat, dtype=object).reshape(shape)


def flat(v):
    return v.flatten().tolist() if isinstance(v, np.ndarray) else [v]


def emit_kernel(fname, args, input_lines, assignments, results):
    lines = [f"extern \"C\" void {fname}({args}) {{"]
    lines += input_lines
    for sym, e in assignments:
        lines.append(f"  const double {sym} = {sp.ccode(e)};")
    for target, e in results:
        lines.append(f"  {target} = {sp.ccode(e)};")
    lines.append("}")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("program")
    ap.add_argument("--name", required=True)
    ap.add_argument("-o", dest="out", required=True)
    a = ap.parse_args()

    times = {"import": T_IMPORT}
    t = time.perf_counter()
    inputs, outputs, wrt, env = read_program(a.program)
    times["build"] = time.perf_counter() - t

    in_syms = []
    for n, shape in inputs:
        in_syms += flat(env["v_" + n])
    wrt_set = set(wrt)
    wrt_syms = [s for n, shape in inputs if n in wrt_set for s in flat(env["v_" + n])]
    outs = [e for o in outputs for e in flat(env["v_" + o])]
    outs = [sp.sympify(e) for e in outs]

    t = time.perf_counter()
    jac = [sp.diff(o, s) for o in outs for s in wrt_syms]
    times["diff"] = time.perf_counter() - t

    t = time.perf_counter()
    gen = sp.numbered_symbols("sympy_t")
    repl_g, red_g = sp.cse(outs + jac, symbols=gen)
    repl_f, red_f = sp.cse(outs, symbols=sp.numbered_symbols("sympy_t"))
    times["cse"] = time.perf_counter() - t

    t = time.perf_counter()
    input_lines = [f"  const double {s.name} = in[{i}];" for i, s in enumerate(in_syms)]
    src = [f"// Generated by bench/workloads/sympy_gen.py (SymPy {sp.__version__}) from {a.program}.",
           "#include <cmath>", ""]
    src += emit_kernel(f"sympy_{a.name}", "const double* in, double* out", input_lines, repl_f,
                       [(f"out[{i}]", e) for i, e in enumerate(red_f)])
    src.append("")
    k = len(wrt_syms)
    res = [(f"out[{i}]", e) for i, e in enumerate(red_g[:len(outs)])]
    res += [(f"jac[{i}]", e) for i, e in enumerate(red_g[len(outs):])]
    src += emit_kernel(f"sympy_{a.name}_grad", "const double* in, double* out, double* jac",
                       input_lines, repl_g, res)
    # Unused inputs would warn; silence them like any user would.
    text = "\n".join(src) + "\n"
    with open(a.out, "w") as f:
        f.write(text)
    times["print"] = time.perf_counter() - t
    times["total_without_import"] = sum(v for key, v in times.items() if key != "import")
    times["num_inputs"] = len(in_syms)
    times["num_wrt"] = k
    times["num_outputs"] = len(outs)
    json.dump(times, sys.stdout)
    print()


if __name__ == "__main__":
    main()
