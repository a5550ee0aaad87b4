// hand.cpp - hand-written backpropagation for the small MLP (mlp.expr):
// h = tanh(W1 x + b1), z = W2 h + b2, L = logsumexp(z) - y.z;
// dL/dz = softmax(z) - y, dL/dW2 = dz h^T, dL/dh = W2^T dz,
// dL/ds = (1 - h^2) dL/dh, dL/dW1 = ds x^T, dL/db = the deltas.
#include <cmath>

namespace {
constexpr int D = 8, H = 16, C = 4, P = H * D + H + C * H + C;

double forward(const double* in, double* h, double* z, double* sm) {
  const double *W1 = in, *b1 = W1 + H * D, *W2 = b1 + H, *b2 = W2 + C * H, *x = b2 + C,
               *y = x + D;
  for (int i = 0; i < H; ++i) {
    double s = b1[i];
    for (int j = 0; j < D; ++j) s += W1[i * D + j] * x[j];
    h[i] = std::tanh(s);
  }
  double m = -INFINITY;
  for (int c = 0; c < C; ++c) {
    double v = b2[c];
    for (int i = 0; i < H; ++i) v += W2[c * H + i] * h[i];
    z[c] = v;
    m = v > m ? v : m;
  }
  double se = 0.0, yz = 0.0;
  for (int c = 0; c < C; ++c) {
    sm[c] = std::exp(z[c] - m);
    se += sm[c];
    yz += y[c] * z[c];
  }
  for (int c = 0; c < C; ++c) sm[c] /= se;
  return m + std::log(se) - yz;
}
}  // namespace

extern "C" void hand_mlp(const double* in, double* out) {
  double h[H], z[C], sm[C];
  out[0] = forward(in, h, z, sm);
}

extern "C" void hand_mlp_grad(const double* in, double* out, double* g) {
  const double *W2 = in + H * D + H, *x = in + P, *y = x + D;
  double h[H], z[C], sm[C], dh[H] = {};
  out[0] = forward(in, h, z, sm);
  double *gW1 = g, *gb1 = gW1 + H * D, *gW2 = gb1 + H, *gb2 = gW2 + C * H;
  for (int c = 0; c < C; ++c) {
    const double dz = sm[c] - y[c];
    gb2[c] = dz;
    for (int i = 0; i < H; ++i) {
      gW2[c * H + i] = dz * h[i];
      dh[i] += W2[c * H + i] * dz;
    }
  }
  for (int i = 0; i < H; ++i) {
    const double ds = (1.0 - h[i] * h[i]) * dh[i];
    gb1[i] = ds;
    for (int j = 0; j < D; ++j) gW1[i * D + j] = ds * x[j];
  }
}
