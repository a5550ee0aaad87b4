// model.hpp - the bundle-adjustment reprojection error as ADBench writes it
// (ADBench/src/cpp/shared/ba.h: computeReprojError, project,
// rodrigues_rotate_point, radial_distort), templated for the peers.
// in = cam[11] (rot 0-2, C 3-5, f 6, x0 7-8, k 9-10), X[3], w, feat[2];
// wrt = the first 15; out = err[2].
#pragma once
#include <array>
#include <cmath>

#include "peers.hpp"

namespace models {

template <class T>
void rodrigues_rotate_point(const T* rot, const T* X, T* rX) {
  using std::cos;
  using std::sin;
  using std::sqrt;
  T sqtheta = rot[0] * rot[0] + rot[1] * rot[1] + rot[2] * rot[2];
  if (sqtheta != 0.0) {
    T theta = sqrt(sqtheta);
    T costheta = cos(theta), sintheta = sin(theta);
    T theta_inverse = 1.0 / theta;
    T w[3] = {rot[0] * theta_inverse, rot[1] * theta_inverse, rot[2] * theta_inverse};
    T w_cross_X[3] = {w[1] * X[2] - w[2] * X[1], w[2] * X[0] - w[0] * X[2],
                      w[0] * X[1] - w[1] * X[0]};
    T tmp = (w[0] * X[0] + w[1] * X[1] + w[2] * X[2]) * (1.0 - costheta);
    for (int i = 0; i < 3; ++i) rX[i] = X[i] * costheta + w_cross_X[i] * sintheta + w[i] * tmp;
  } else {
    T rot_cross_X[3] = {rot[1] * X[2] - rot[2] * X[1], rot[2] * X[0] - rot[0] * X[2],
                        rot[0] * X[1] - rot[1] * X[0]};
    for (int i = 0; i < 3; ++i) rX[i] = X[i] + rot_cross_X[i];
  }
}

template <class T>
void radial_distort(const T* rad_params, T* proj) {
  T rsq = proj[0] * proj[0] + proj[1] * proj[1];
  T L = 1.0 + rad_params[0] * rsq + rad_params[1] * rsq * rsq;
  proj[0] = proj[0] * L;
  proj[1] = proj[1] * L;
}

template <class T>
void project(const T* cam, const T* X, T* proj) {
  const T* C = &cam[3];
  T Xo[3], Xcam[3];
  for (int i = 0; i < 3; ++i) Xo[i] = X[i] - C[i];
  rodrigues_rotate_point(&cam[0], Xo, Xcam);
  proj[0] = Xcam[0] / Xcam[2];
  proj[1] = Xcam[1] / Xcam[2];
  radial_distort(&cam[9], proj);
  proj[0] = proj[0] * cam[6] + cam[7];
  proj[1] = proj[1] * cam[6] + cam[8];
}

struct BA {
  static constexpr const char* name = "ba";
  static constexpr int n_in = 17, n_out = 2, n_wrt = 15;
  static constexpr std::array<int, n_wrt> wrt = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  template <class T>
  static void eval(const T* in, T* err) {  // computeReprojError
    const T *cam = in, *X = in + 11, &w = in[14], *feat = in + 15;
    T proj[2];
    project(cam, X, proj);
    err[0] = w * (proj[0] - feat[0]);
    err[1] = w * (proj[1] - feat[1]);
  }
  // Varied observations: a random camera, a point 2 to 6 units in front of
  // it (placed in camera coordinates and rotated back), a weight, a feature.
  static void gen_input(bench::Rng& r, double* in) {
    double* cam = in;
    for (int i = 0; i < 3; ++i) cam[i] = r.uniform(-1, 1);  // up to 1.7 rad
    for (int i = 3; i < 6; ++i) cam[i] = r.uniform(-2, 2);
    cam[6] = r.uniform(0.5, 2.0);
    cam[7] = r.uniform(-0.1, 0.1);
    cam[8] = r.uniform(-0.1, 0.1);
    cam[9] = r.uniform(-0.1, 0.1);
    cam[10] = r.uniform(-0.01, 0.01);
    double Xc[3] = {r.uniform(-1, 1), r.uniform(-1, 1), r.uniform(2, 6)};
    double back[3] = {-cam[0], -cam[1], -cam[2]}, Xo[3];
    rodrigues_rotate_point(back, Xc, Xo);  // the inverse rotation
    for (int i = 0; i < 3; ++i) in[11 + i] = Xo[i] + cam[3 + i];
    in[14] = r.uniform(0.5, 1.5);
    in[15] = r.uniform(-0.5, 0.5);
    in[16] = r.uniform(-0.5, 0.5);
  }
};
}  // namespace models
