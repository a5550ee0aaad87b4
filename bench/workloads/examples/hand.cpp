// hand.cpp - hand-written gradients of the course programs (examples/), with
// gradc's kernel ABI: hand_NAME(in, out) and hand_NAME_grad(in, out, jac).
// Written the way a careful person writes them: the forward values once,
// then the chain rule by hand with the usual simplifications (the sigmoid +
// BCE derivative is yhat - y, a ReLU's derivative a branch). The closed forms
// are the ones in the examples' comments.
#include <cmath>

namespace {
inline double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }
inline double bce(double y, double yhat) {
  return -(y * std::log(yhat) + (1.0 - y) * std::log(1.0 - yhat));
}
}  // namespace

extern "C" {

// ---- card: a = x*y + z; b = a*(x+x); w = a*b + b -------------------------------
void hand_card(const double* in, double* out) {
  const double x = in[0], y = in[1], z = in[2];
  const double a = x * y + z, b = 2.0 * a * x;
  out[0] = a * b + b;
}
void hand_card_grad(const double* in, double* out, double* jac) {
  const double x = in[0], y = in[1], z = in[2];
  const double a = x * y + z, t = 2.0 * x, b = a * t;
  out[0] = a * b + b;
  const double dw_db = a + 1.0;           // w = (a + 1)*b
  const double dw_da = b + dw_db * t;     // through w directly and through b
  jac[0] = dw_da * y + dw_db * 2.0 * a;   // x: through a and through b = 2*a*x
  jac[1] = dw_da * x;
  jac[2] = dw_da;
}

// ---- relu_net: three ReLU units on x, linear output ---------------------------------
void hand_relu_net(const double* in, double* out) {
  const double x = in[0];
  double y = in[10];
  for (int i = 0; i < 3; ++i) {
    const double s = in[1 + 2 * i] * x + in[2 + 2 * i];
    y += in[7 + i] * (s > 0 ? s : 0.0);
  }
  out[0] = y;
}
void hand_relu_net_grad(const double* in, double* out, double* jac) {
  // in: x, W1_0, b1_0, W1_1, b1_1, W1_2, b1_2, W2_0, W2_1, W2_2, b2
  const double x = in[0];
  double y = in[10], dx = 0.0;
  for (int i = 0; i < 3; ++i) {
    const double w1 = in[1 + 2 * i], w2 = in[7 + i];
    const double s = w1 * x + in[2 + 2 * i];
    if (s > 0) {
      y += w2 * s;
      jac[7 + i] = s;           // dy/dW2_i = h_i
      jac[1 + 2 * i] = w2 * x;  // dy/dW1_i
      jac[2 + 2 * i] = w2;      // dy/db1_i
      dx += w2 * w1;
    } else {
      jac[7 + i] = jac[1 + 2 * i] = jac[2 + 2 * i] = 0.0;
    }
  }
  jac[0] = dx;
  jac[10] = 1.0;
  out[0] = y;
}

// ---- two_unit_bce: two ReLU units, sigmoid output, BCE ---------------------------------
void hand_two_unit_bce(const double* in, double* out) {
  const double x = in[0];
  const double s1 = in[1] * x + in[2], s2 = in[3] * x + in[4];
  const double z = in[5] * (s1 > 0 ? s1 : 0.0) + in[6] * (s2 > 0 ? s2 : 0.0) + in[7];
  out[0] = bce(in[8], sigmoid(z));
}
void hand_two_unit_bce_grad(const double* in, double* out, double* jac) {
  // in: x, w1, b1, w2, b2, v1, v2, c, y
  const double x = in[0], w1 = in[1], w2 = in[3], v1 = in[5], v2 = in[6], y = in[8];
  const double s1 = w1 * x + in[2], s2 = w2 * x + in[4];
  const double h1 = s1 > 0 ? s1 : 0.0, h2 = s2 > 0 ? s2 : 0.0;
  const double z = v1 * h1 + v2 * h2 + in[7];
  const double yhat = sigmoid(z);
  out[0] = bce(y, yhat);
  const double g = yhat - y;  // dL/dz
  const double g1 = s1 > 0 ? g * v1 : 0.0, g2 = s2 > 0 ? g * v2 : 0.0;
  jac[0] = g1 * w1 + g2 * w2;
  jac[1] = g1 * x;
  jac[2] = g1;
  jac[3] = g2 * x;
  jac[4] = g2;
  jac[5] = g * h1;
  jac[6] = g * h2;
  jac[7] = g;
  jac[8] = -z;  // dL/dy = log(1 - yhat) - log(yhat) = -z
}

// ---- skip_bce: ReLU unit with a skip connection, sigmoid, BCE; outputs J, z2 ---------
void hand_skip_bce(const double* in, double* out) {
  const double x = in[0];
  const double z1 = in[1] * x + in[2];
  const double z2 = in[3] * (z1 > 0 ? z1 : 0.0) + in[4] + x;
  out[0] = bce(in[5], sigmoid(z2));
  out[1] = z2;
}
void hand_skip_bce_grad(const double* in, double* out, double* jac) {
  // in: x, W1, b1, W2, b2, y
  const double x = in[0], W1 = in[1], W2 = in[3], y = in[5];
  const double z1 = W1 * x + in[2];
  const bool on = z1 > 0;
  const double h = on ? z1 : 0.0;
  const double z2 = W2 * h + in[4] + x;
  const double yhat = sigmoid(z2);
  out[0] = bce(y, yhat);
  out[1] = z2;
  // dz2/d(x, W1, b1, W2, b2, y)
  const double dx = on ? W2 * W1 + 1.0 : 1.0, dW1 = on ? W2 * x : 0.0, db1 = on ? W2 : 0.0;
  double* J = jac;
  double* Z = jac + 6;
  const double g = yhat - y;  // dJ/dz2
  J[0] = g * dx;
  J[1] = g * dW1;
  J[2] = g * db1;
  J[3] = g * h;
  J[4] = g;
  J[5] = -z2;
  Z[0] = dx;
  Z[1] = dW1;
  Z[2] = db1;
  Z[3] = h;
  Z[4] = 1.0;
  Z[5] = 0.0;
}

// ---- regression_net: Linear(4->3) -> 3*ReLU -> Linear(3->2), squared loss ----------------
void hand_regression_net(const double* in, double* out) {
  const double *W1 = in, *b1 = in + 12, *x = in + 15, *W2 = in + 19, *b2 = in + 25, *y = in + 27;
  double a1[3];
  for (int i = 0; i < 3; ++i) {
    double s = b1[i];
    for (int j = 0; j < 4; ++j) s += W1[i * 4 + j] * x[j];
    a1[i] = s > 0 ? 3.0 * s : 0.0;
  }
  double c = 0.0;
  for (int i = 0; i < 2; ++i) {
    double e = b2[i] - y[i];
    for (int j = 0; j < 3; ++j) e += W2[i * 3 + j] * a1[j];
    c += e * e;
  }
  out[0] = 0.5 * c;
}
void hand_regression_net_grad(const double* in, double* out, double* jac) {
  const double *W1 = in, *b1 = in + 12, *x = in + 15, *W2 = in + 19, *b2 = in + 25, *y = in + 27;
  double *dW1 = jac, *db1 = jac + 12, *dx = jac + 15, *dW2 = jac + 19, *db2 = jac + 25,
         *dy = jac + 27;
  double s1[3], a1[3], e[2];
  for (int i = 0; i < 3; ++i) {
    double s = b1[i];
    for (int j = 0; j < 4; ++j) s += W1[i * 4 + j] * x[j];
    s1[i] = s;
    a1[i] = s > 0 ? 3.0 * s : 0.0;
  }
  double c = 0.0;
  for (int i = 0; i < 2; ++i) {
    double v = b2[i] - y[i];
    for (int j = 0; j < 3; ++j) v += W2[i * 3 + j] * a1[j];
    e[i] = v;
    c += v * v;
  }
  out[0] = 0.5 * c;
  for (int i = 0; i < 2; ++i) {  // dC/dyhat = e
    db2[i] = e[i];
    dy[i] = -e[i];
    for (int j = 0; j < 3; ++j) dW2[i * 3 + j] = e[i] * a1[j];
  }
  for (int j = 0; j < 4; ++j) dx[j] = 0.0;
  for (int k = 0; k < 3; ++k) {  // dC/ds1 = 3*R*(W2^T e)
    const double ds = s1[k] > 0 ? 3.0 * (W2[k] * e[0] + W2[3 + k] * e[1]) : 0.0;
    db1[k] = ds;
    for (int j = 0; j < 4; ++j) {
      dW1[k * 4 + j] = ds * x[j];
      dx[j] += W1[k * 4 + j] * ds;
    }
  }
}

}  // extern "C"
