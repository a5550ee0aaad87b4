#!/usr/bin/env python3
"""check_latex.py GRADC EXAMPLES WORKDIR - the LaTeX that gradc writes compiles.

--print=latex and --explain=latex (reverse and forward mode, scalar and array
programs, conditions, Greek and subscripted names) on the course examples and
a few awkward programs, each wrapped in a minimal amsmath document and run
through pdflatex; any LaTeX error fails, naming the program and the first
error lines. The equations of --print=latex define no temporary that
nothing reads (a case writes its comparison out, so the comparison's own
statement is left out).
"""
import os
import re
import subprocess
import sys

PROGRAMS = {
    "cond": ("input x, y\ns = x > 0 || y < 0 ? x^2 : -y\nh_1 = s*s + abs(x)\n", "x=1,y=2"),
    "names": ("input theta, x_hat, W1[2,2]\ny = sum(W1 @ [theta, x_hat])\nwrt theta, W1\n",
              "theta=1,x_hat=2,W1=[[1,2],[3,4]]"),
    "layer": ("input W[2,2], b[2], x[2]\ns = W @ x + b\nh = relu(s)\nL = sum(h*h)\n",
              "W=[[1,2],[3,4]],b=[-0.5,0.2],x=[0.5,-0.2]"),
}
EXAMPLES = {
    "relu_net": "x=1,W1_0=1,b1_0=-1,W1_1=2,b1_1=0.5,W1_2=-1,b1_2=0,W2_0=1,W2_1=-2,W2_2=3,b2=0.1",
    "skip_bce": "x=0.5,W1=1.5,b1=-0.25,W2=-2,b2=0.5,y=1",
    "regression_net": "W1=[[0.1,-0.2,0.3,0.4],[0.5,0.1,-0.3,0.2],[-0.4,0.2,0.1,0.3]],"
                      "b1=[0.1,-0.1,0.05],x=[1,2,-1,0.5],W2=[[0.3,-0.2,0.5],[0.1,0.4,-0.3]],"
                      "b2=[0.2,-0.1],y=[1,0]",
    "softmax_ce": "W=[[0.1,0.2,-0.1,0.3],[0.2,-0.3,0.4,0.1],[-0.2,0.1,0.3,0.2]],b=[0.1,0,-0.1],"
                  "x=[1,-1,2,0.5]",
    "sigmoid_bce": "x=2,w=0.5,b=-1,y=1",
}
DOCUMENT = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
            "\\input{%s}\n\\end{document}\n")


def main():
    gradc, examples, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    sources = {}
    for name, (text, point) in PROGRAMS.items():
        path = os.path.join(work, name + ".expr")
        with open(path, "w") as f:
            f.write(text)
        sources[name] = (path, point)
    for name, point in EXAMPLES.items():
        sources[name] = (os.path.join(examples, name + ".expr"), point)
    failures, count = [], 0
    for name, (path, point) in sorted(sources.items()):
        for label, args in (("print", ["--print=latex"]),
                            ("explain", ["--explain=latex", "--eval=" + point]),
                            ("explain-forward", ["--explain=latex", "--mode=forward", "--eval=" + point])):
            count += 1
            stem = f"{name}-{label}"
            run = subprocess.run([gradc, path] + args, capture_output=True, text=True)
            if run.returncode != 0:
                failures.append(f"{stem}: gradc failed: {run.stderr}")
                continue
            with open(os.path.join(work, stem + ".tex"), "w") as f:
                f.write(run.stdout)
            if label == "print":  # every temporary it defines is read (cases write
                for t in re.findall(r"^  (t_\{\d+\}) &=", run.stdout, re.M):  # comparisons out)
                    if run.stdout.count(t) < 2:
                        failures.append(f"{stem}: {t} is defined and never read")
            with open(os.path.join(work, "doc-" + stem + ".tex"), "w") as f:
                f.write(DOCUMENT % (stem + ".tex"))
            tex = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                                  "doc-" + stem + ".tex"], cwd=work, capture_output=True, text=True)
            if tex.returncode != 0:
                lines = [l for l in tex.stdout.split("\n") if l.startswith("!") or l.startswith("l.")]
                failures.append(f"{stem}: pdflatex failed:\n  " + "\n  ".join(lines[:6]))
    for f in failures:
        print(f)
    print(f"check_latex: {count - len(failures)} of {count} LaTeX outputs compile, with no unread temporary")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
