// hand.cpp - hand-written reprojection error and its 2 x 15 Jacobian,
// gradc's ABI (in = cam[11], X[3], w, feat[2]; jac columns cam, X, w).
//
// The chain rule by hand, in the order a person would do it:
//   err = w*(f*L*p + x0 - feat),  p = Xc[0:2]/Xc[2],  L = 1 + k1 rsq + k2 rsq^2,
//   Xc = R(r) Xo,  Xo = X - C,  R(r) v = c v + s (u x v) + (1 - c)(u.v) u,
//   u = r/theta, theta = |r|, c = cos theta, s = sin theta.
// Per output row i: A = d err_i/dp (2), b = d err_i/dXc (3), then
//   d/dXo = b^T R = c b + s (b x u) + (1 - c)(b.u) u   (d/dX = it, d/dC = -it)
//   d/dr  = alpha u + (v - (v.u) u)/theta  with
//     alpha = -s b.Xo + c b.(u x Xo) + s (u.Xo)(b.u)          (through theta)
//     v     = s (Xo x b) + (1 - c)((b.u) Xo + (u.Xo) b)         (through u)
// and at theta = 0 ADBench's branch Xc = Xo + r x Xo, whose derivatives are
// b + b x r (Xo) and Xo x b (r).
#include <cmath>

namespace {
inline void cross(const double* a, const double* b, double* o) {
  o[0] = a[1] * b[2] - a[2] * b[1];
  o[1] = a[2] * b[0] - a[0] * b[2];
  o[2] = a[0] * b[1] - a[1] * b[0];
}
inline double dot3(const double* a, const double* b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
}  // namespace

extern "C" void hand_ba(const double* in, double* out) {
  const double *cam = in, *X = in + 11, w = in[14], *feat = in + 15;
  const double* r = cam;
  double Xo[3] = {X[0] - cam[3], X[1] - cam[4], X[2] - cam[5]}, Xc[3];
  const double sqtheta = dot3(r, r);
  if (sqtheta != 0.0) {
    const double theta = std::sqrt(sqtheta), c = std::cos(theta), s = std::sin(theta);
    const double inv = 1.0 / theta;
    const double u[3] = {r[0] * inv, r[1] * inv, r[2] * inv};
    double uxX[3];
    cross(u, Xo, uxX);
    const double tmp = dot3(u, Xo) * (1.0 - c);
    for (int i = 0; i < 3; ++i) Xc[i] = Xo[i] * c + uxX[i] * s + u[i] * tmp;
  } else {
    double rxX[3];
    cross(r, Xo, rxX);
    for (int i = 0; i < 3; ++i) Xc[i] = Xo[i] + rxX[i];
  }
  const double iz = 1.0 / Xc[2];
  const double p0 = Xc[0] * iz, p1 = Xc[1] * iz;
  const double rsq = p0 * p0 + p1 * p1;
  const double fL = cam[6] * (1.0 + cam[9] * rsq + cam[10] * rsq * rsq);
  out[0] = w * (p0 * fL + cam[7] - feat[0]);
  out[1] = w * (p1 * fL + cam[8] - feat[1]);
}

extern "C" void hand_ba_grad(const double* in, double* out, double* jac) {
  const double *cam = in, *X = in + 11, w = in[14], *feat = in + 15;
  const double* r = cam;
  const double f = cam[6], k1 = cam[9], k2 = cam[10];
  const double Xo[3] = {X[0] - cam[3], X[1] - cam[4], X[2] - cam[5]};
  double Xc[3], u[3] = {0, 0, 0}, uxX[3] = {0, 0, 0};
  double theta = 0, inv = 0, c = 1, s = 0, omc = 0, d = 0;
  const double sqtheta = dot3(r, r);
  const bool rotating = sqtheta != 0.0;
  if (rotating) {
    theta = std::sqrt(sqtheta);
    c = std::cos(theta);
    s = std::sin(theta);
    inv = 1.0 / theta;
    for (int i = 0; i < 3; ++i) u[i] = r[i] * inv;
    cross(u, Xo, uxX);
    d = dot3(u, Xo);
    omc = 1.0 - c;
    const double tmp = d * omc;
    for (int i = 0; i < 3; ++i) Xc[i] = Xo[i] * c + uxX[i] * s + u[i] * tmp;
  } else {
    double rxX[3];
    cross(r, Xo, rxX);
    for (int i = 0; i < 3; ++i) Xc[i] = Xo[i] + rxX[i];
  }
  const double iz = 1.0 / Xc[2];
  const double p[2] = {Xc[0] * iz, Xc[1] * iz};
  const double rsq = p[0] * p[0] + p[1] * p[1];
  const double L = 1.0 + k1 * rsq + k2 * rsq * rsq;
  const double Lp = 2.0 * (k1 + 2.0 * k2 * rsq);  // dL/dp_j = Lp * p_j
  const double wf = w * f;
  for (int i = 0; i < 2; ++i) {
    const double pd = p[i] * L;
    const double e = pd * f + cam[7 + i] - feat[i];
    out[i] = w * e;
    double* J = jac + 15 * i;
    // d err_i / dp_j and d err_i / dXc
    const double A0 = wf * ((i == 0 ? L : 0.0) + p[i] * Lp * p[0]);
    const double A1 = wf * ((i == 1 ? L : 0.0) + p[i] * Lp * p[1]);
    const double b[3] = {A0 * iz, A1 * iz, -(A0 * p[0] + A1 * p[1]) * iz};
    double gX[3], gr[3];
    if (rotating) {
      double bxu[3], Xoxb[3];
      cross(b, u, bxu);
      cross(Xo, b, Xoxb);
      const double bu = dot3(b, u);
      for (int k = 0; k < 3; ++k) gX[k] = c * b[k] + s * bxu[k] + omc * bu * u[k];
      const double alpha = -s * dot3(b, Xo) + c * dot3(b, uxX) + s * d * bu;
      double v[3];
      for (int k = 0; k < 3; ++k) v[k] = s * Xoxb[k] + omc * (bu * Xo[k] + d * b[k]);
      const double vu = dot3(v, u);
      for (int k = 0; k < 3; ++k) gr[k] = alpha * u[k] + (v[k] - vu * u[k]) * inv;
    } else {
      double bxr[3];
      cross(b, r, bxr);
      for (int k = 0; k < 3; ++k) gX[k] = b[k] + bxr[k];
      cross(Xo, b, gr);
    }
    J[0] = gr[0];
    J[1] = gr[1];
    J[2] = gr[2];
    J[3] = -gX[0];
    J[4] = -gX[1];
    J[5] = -gX[2];
    J[6] = w * pd;
    J[7] = i == 0 ? w : 0.0;
    J[8] = i == 1 ? w : 0.0;
    J[9] = wf * p[i] * rsq;
    J[10] = J[9] * rsq;
    J[11] = gX[0];
    J[12] = gX[1];
    J[13] = gX[2];
    J[14] = e;
  }
}
