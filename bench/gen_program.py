#!/usr/bin/env python3
"""gen_program.py - random gradc programs for the benchmarks.

  gen_program.py random N [--seed S] [--inputs K]   a random DAG of N statements
  gen_program.py chain N                            a chain v_i = f(v_{i-1}) of N statements

Random programs draw each statement's operands from recent names (so values
are reused and fan out, as in real models) and mix arithmetic with smooth
built-ins; all values stay finite for inputs in [-2, 2].
"""
import argparse
import random


def random_program(n, seed, inputs):
    rng = random.Random(seed)
    names = [f"x{i}" for i in range(inputs)]
    lines = [f"input {', '.join(names)}"]
    unary = ["sin({})", "cos({})", "tanh({})", "sigmoid({})", "softplus({})", "relu({})",
             "exp(-({})^2)", "log(1 + ({})^2)", "sqrt(1 + ({})^2)", "atan({})"]
    binary = ["{} + {}", "{} - {}", "{}*{}", "0.5*{} + 0.25*{}", "max({}, {})", "{}/(1 + {}^2)"]
    for i in range(n):
        window = names[-64:]
        a, b = rng.choice(window), rng.choice(window)
        if rng.random() < 0.4:
            expr = rng.choice(unary).format(a)
        else:
            expr = rng.choice(binary).format(a, b)
        name = f"v{i}"
        lines.append(f"{name} = {expr}")
        names.append(name)
    # One output that depends on many values: a sum of the last few.
    tail = names[-8:]
    lines.append("out = " + " + ".join(tail))
    return "\n".join(lines) + "\n"


def chain_program(n):
    lines = ["input x", "v0 = x"]
    fs = ["sin(v{})", "v{}*0.999 + 0.001", "tanh(v{}) + v{}*0.5"]
    for i in range(1, n + 1):
        f = fs[i % len(fs)]
        lines.append(f"v{i} = " + f.replace("{}", str(i - 1)))
    lines.append(f"output v{n}")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("kind", choices=["random", "chain"])
    p.add_argument("n", type=int)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--inputs", type=int, default=16)
    a = p.parse_args()
    print(random_program(a.n, a.seed, a.inputs) if a.kind == "random" else chain_program(a.n), end="")


if __name__ == "__main__":
    main()
