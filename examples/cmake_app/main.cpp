// cmake_app - calls kernels that gradc_add_kernels generated at build time
// (model.expr as C++, loss.expr as an object), chains their gradients by
// hand, and checks each kernel with the runtime's finite-difference checker.
#include <cstdio>
#include <vector>

#include "gradc_check.h"
#include "loss.hpp"
#include "model.hpp"

namespace {

// The checker's description of a kernel with scalar inputs and outputs,
// from the names its generated header lists.
gradc::CheckShape shape_of(const char* const* inputs, int n, const char* const* outputs, int m,
                           const char* const* wrt, int k) {
  gradc::CheckShape s;
  s.inputs.assign(inputs, inputs + n);
  s.outputs.assign(outputs, outputs + m);
  for (int j = 0; j < k; ++j)
    for (int i = 0; i < n; ++i)
      if (s.inputs[i] == wrt[j]) s.wrt.push_back(uint32_t(i));
  return s;
}

}  // namespace

int main() {
  // model(x1, x2, w11, w12, w21, w22, v1, v2, c) -> p
  const double in[model_info::num_inputs] = {0.5, -1.0, 0.8, -0.3, 0.2, 0.6, 1.5, -0.7, 0.1};
  double p = 0, dp[model_info::num_wrt];
  model_grad(in, &p, dp);
  // loss(p, y) -> bce, d bce / d p
  const double loss_in[loss_info::num_inputs] = {p, 1.0};
  double bce = 0, dbce_dp = 0;
  loss_grad(loss_in, &bce, &dbce_dp);

  std::printf("p = %.17g\nbce = %.17g\n", p, bce);
  for (int j = 0; j < model_info::num_wrt; ++j)
    std::printf("dbce/d%s = %.17g\n", model_info::wrt_names[j], dbce_dp * dp[j]);

  using namespace model_info;
  gradc::CheckResult model_check = gradc::check_gradient(
      model_grad, shape_of(input_names, num_inputs, output_names, num_outputs, wrt_names, num_wrt));
  gradc::CheckResult loss_check = gradc::check_gradient(
      loss_grad, shape_of(loss_info::input_names, loss_info::num_inputs, loss_info::output_names,
                          loss_info::num_outputs, loss_info::wrt_names, loss_info::num_wrt));
  std::printf("model: %s\nloss: %s\n", model_check.message.c_str(), loss_check.message.c_str());
  return model_check.ok && loss_check.ok ? 0 : 1;
}
