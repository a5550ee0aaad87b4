/* gradc_kernel.h - the kernel ABI of SPEC 3 as C types, for code that loads
 * gradc kernels at run time (dlopen, or the JIT of gradc_runtime.h).
 *
 *   NAME(in, out)            out[m] from in[n]
 *   NAME_grad(in, out, jac)  also jac[m*k], jac[i*k + j] = d out_i / d wrt_j
 *   NAME_jvp(in, v, out, jv) also jv[m] = J v for a direction v[k]
 *   NAME_vjp(in, u, out, uj) also uj[k] = u^T J for weights u[m]
 *   NAME_hess(in, out, jac, hess)   also hess[(i*k + j)*k + l] = d2 out_i / d wrt_j d wrt_l
 *   NAME_hvp(in, v, out, jac, hv)   also hv[i*k + j] = sum_l d2 out_i / d wrt_j d wrt_l v[l]
 *   NAME_batch(count, in, out), NAME_grad_batch(count, in, out, jac),
 *   NAME_jvp_batch(count, in, v, out, jv), ... (every kernel's _batch)
 *                            the kernel at count points, each array's points
 *                            one after another
 *
 * Kernels are pure, reentrant and thread-safe. */
#ifndef GRADC_KERNEL_H
#define GRADC_KERNEL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Signature of NAME. */
typedef void (*gradc_forward_fn)(const double* in, double* out);
/** Signature of NAME_grad. */
typedef void (*gradc_grad_fn)(const double* in, double* out, double* jac);
/** Signature of NAME_jvp and NAME_vjp: in, the direction (v or u), out, the product. */
typedef void (*gradc_product_fn)(const double* in, const double* dir, double* out,
                                 double* product);
/** Signature of NAME_hess. */
typedef void (*gradc_hess_fn)(const double* in, double* out, double* jac, double* hess);
/** Signature of NAME_hvp. */
typedef void (*gradc_hvp_fn)(const double* in, const double* v, double* out, double* jac,
                             double* hv);
/** Signature of NAME_batch. */
typedef void (*gradc_forward_batch_fn)(size_t count, const double* in, double* out);
/** Signature of NAME_grad_batch and NAME_grad_sparse_batch. */
typedef void (*gradc_grad_batch_fn)(size_t count, const double* in, double* out, double* jac);
/** Signature of NAME_jvp_batch and NAME_vjp_batch. */
typedef void (*gradc_product_batch_fn)(size_t count, const double* in, const double* dir,
                                       double* out, double* product);
/** Signature of NAME_hess_batch. */
typedef void (*gradc_hess_batch_fn)(size_t count, const double* in, double* out, double* jac,
                                    double* hess);
/** Signature of NAME_hvp_batch. */
typedef void (*gradc_hvp_batch_fn)(size_t count, const double* in, const double* v, double* out,
                                   double* jac, double* hv);

#ifdef __cplusplus
}
#endif

#endif /* GRADC_KERNEL_H */
