// hessian.cpp - forward sweeps over the Jacobian's roots.
#include "ad/hessian.h"

#include "ad/forward_diff.h"

namespace gradc {

std::vector<NodeId> hessian(Builder& b, const std::vector<NodeId>& jacobian,
                            const std::vector<NodeId>& wrt) {
  const size_t k = wrt.size(), m = k ? jacobian.size() / k : 0;
  std::vector<NodeId> hess(m * k * k, b.zero()), column;
  ForwardSweeps sweeps(b, jacobian);
  for (size_t l = 0; l < k; ++l) {
    sweeps.sweep({{wrt[l], b.one()}}, column);
    for (size_t i = 0; i < m; ++i)
      for (size_t j = l; j < k; ++j) {  // d2 out_i / d wrt_j d wrt_l, j >= l
        NodeId d = b.unmasked_root(column[i * k + j]);  // a result: no mask needed
        hess[(i * k + j) * k + l] = d;
        hess[(i * k + l) * k + j] = d;  // its mirror: the same node
      }
  }
  return hess;
}

std::vector<NodeId> hessian_vector(Builder& b, const std::vector<NodeId>& jacobian,
                                   const std::vector<NodeId>& wrt, const std::vector<NodeId>& v) {
  std::vector<Seed> seeds;
  for (size_t l = 0; l < wrt.size(); ++l) seeds.push_back({wrt[l], v[l]});
  std::vector<NodeId> hv;
  ForwardSweeps(b, jacobian).sweep(seeds, hv);
  for (NodeId& entry : hv) entry = b.unmasked_root(entry);  // results: no mask needed
  return hv;
}

}  // namespace gradc
