/* c_app - calls gradc kernels (an object gradc wrote) from C: one point and
   a batch of five, whose results must agree with the point's. */
#include <math.h>
#include <stdio.h>

#include "model.hpp"

int main(void) {
  const double in[2] = {0.5, 2.0};
  double f = 0, jac[2] = {0, 0};
  model_grad(in, &f, jac);
  printf("f = %.17g\ndf/dx = %.17g\ndf/dy = %.17g\n", f, jac[0], jac[1]);
  double ins[10], fs[5], jacs[10];
  for (int i = 0; i < 5; ++i) {
    ins[2 * i] = in[0];
    ins[2 * i + 1] = in[1];
  }
  model_grad_batch(5, ins, fs, jacs);
  for (int i = 0; i < 5; ++i)
    if (fabs(fs[i] - f) > 1e-15 * fabs(f) || fabs(jacs[2 * i] - jac[0]) > 1e-15 * fabs(jac[0]) ||
        fabs(jacs[2 * i + 1] - jac[1]) > 1e-15 * fabs(jac[1])) {
      printf("batch point %d differs\n", i);
      return 1;
    }
  printf("batch: 5 points agree\n");
  return 0;
}
