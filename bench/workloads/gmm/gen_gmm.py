#!/usr/bin/env python3
"""gen_gmm.py D K N OUTDIR - the Gaussian-mixture objective of ADBench
(ADBench/src/cpp/shared/gmm.h: gmm_objective) as two gradc programs.

The objective, for N points x_i in R^D and K components with weights alphas,
means mu_k and inverse Cholesky factors Q_k (icf_k: D log-diagonal entries,
then the strict lower triangle column by column), is

  E = -N*D/2*log(2*pi) + sum_i logsumexp_k(alphas_k + sum_qs_k - 0.5*|Q_k (x_i - mu_k)|^2)
      - N*logsumexp(alphas) + log_wishart_prior(icf)

Fully unrolled over N = 1000 points the program is too big for g++ (3 M
operations at D = 10, K = 25), so it is split the way ADBench's C++ code
itself is organised: the preprocessing (Qdiag = exp(log-diagonal), sum_qs)
once, one kernel per point, and the terms without points.

  gmm_point_D_K.expr: in = c[K], means[K,D], qdiag[K,D], ltri[K,D(D-1)/2], x[D];
      out = logsumexp_k(c_k - 0.5*|Q_k (x - mu_k)|^2) with c = alphas + sum_qs;
      wrt everything but x.
  gmm_rest_D_K.expr: in = alphas[K], icf[K,D(D+1)/2];
      out = -N*D/2*log(2*pi) - N*logsumexp(alphas) + log_wishart_prior.

The harness (main_gmm.cpp) sums the point kernels' gradients over the N
points and applies the chain rule of the preprocessing (d/dalphas = d/dc,
d/dlogdiag = d/dc + d/dqdiag*qdiag), identically for every peer.
The Wishart prior has ADBench's default gamma = 1, m = 0.
"""
import math
import os
import sys

D, K, N = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
out = sys.argv[4]
NL = D * (D - 1) // 2
ICF = D + NL
GAMMA, M = 1.0, 0


def log_gamma_distrib(a, p):
    return 0.25 * p * (p - 1) * math.log(math.pi) + sum(math.lgamma(a + 0.5 * (1 - j)) for j in range(1, p + 1))


lines = [f"# ADBench GMM, per-point term: D = {D}, K = {K} (bench/workloads/gmm/gen_gmm.py)",
         f"input c[{K}], means[{K},{D}], qdiag[{K},{D}], ltri[{K},{max(NL, 1)}], x[{D}]"]
for k in range(K):
    # Q_k: qdiag on the diagonal, ltri below it, column by column (ADBench's Qtimesx)
    Q = [["0"] * D for _ in range(D)]
    for j in range(D):
        Q[j][j] = f"qdiag[{k},{j}]"
    idx = 0
    for col in range(D):
        for row in range(col + 1, D):
            Q[row][col] = f"ltri[{k},{idx}]"
            idx += 1
    lines.append(f"Q{k} = [" + ", ".join("[" + ", ".join(r) + "]" for r in Q) + "]")
    lines.append(f"y{k} = Q{k} @ (x - means[{k}])")
    lines.append(f"m{k} = c[{k}] - 0.5*dot(y{k}, y{k})")
lines.append("L = logsumexp([" + ", ".join(f"m{k}" for k in range(K)) + "])")
lines.append("output L")
lines.append("wrt c, means, qdiag" + (", ltri" if NL else ""))
with open(os.path.join(out, f"gmm_point_{D}_{K}.expr"), "w") as f:
    f.write("\n".join(lines) + "\n")

n_w = D + M + 1
C = n_w * D * (math.log(GAMMA) - 0.5 * math.log(2)) - log_gamma_distrib(0.5 * n_w, D)
const = -N * D * 0.5 * math.log(2 * math.pi) - K * C
lines = [f"# ADBench GMM, the terms without points: D = {D}, K = {K}, N = {N} (gen_gmm.py)",
         f"input alphas[{K}], icf[{K},{ICF}]"]
for k in range(K):
    diag = ", ".join(f"icf[{k},{j}]" for j in range(D))
    lines.append(f"qd{k} = exp([{diag}])")
    fro = f"dot(qd{k}, qd{k})"
    if NL:
        low = ", ".join(f"icf[{k},{j}]" for j in range(D, ICF))
        lines.append(f"lo{k} = [{low}]")
        fro += f" + dot(lo{k}, lo{k})"
    lines.append(f"frob{k} = {fro}")
# log_wishart_prior = sum_k (0.5*gamma^2*frob_k - m*sum_qs_k) - K*C; with m = 0
# the sum_qs term vanishes.
lines.append(f"prior = {0.5 * GAMMA * GAMMA!r}*(" + " + ".join(f"frob{k}" for k in range(K)) + ")")
lines.append(f"E = {const!r} - {N}*logsumexp(alphas) + prior")
lines.append("output E")
with open(os.path.join(out, f"gmm_rest_{D}_{K}.expr"), "w") as f:
    f.write("\n".join(lines) + "\n")
