// kernels.h - the kernel specs (plan/kernel_spec.h) of a differentiated
// program: NAME and NAME_grad over its outputs and Jacobian, and the product
// kernels, each one more sweep: NAME_jvp (a tangent sweep seeded with v) and
// NAME_vjp (an adjoint sweep seeded with u).
#pragma once

#include "ir/builder.h"
#include "compiled.h"

namespace gradc {

/// Input node index of v[0] and u[0]: the direction vectors follow the n
/// input scalars, v[k] first, then u[m].
uint32_t first_v_input(const Compiled& c);
uint32_t first_u_input(const Compiled& c);

/// c.jac_colptr and c.jac_rowind from c.jacobian.
void build_sparsity_pattern(Compiled& c);

/// Fill c.kernels (and the sparsity pattern): f and grad always, and every kind in c.emitted, building
/// the product kernels' sweeps with `b` (over c.prog.graph).
void build_kernel_specs(Compiled& c, Builder& b);

}  // namespace gradc
