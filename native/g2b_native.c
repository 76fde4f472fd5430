/*
 * gen2brain native kernels: GEMM from the machine's BLAS, run directly on the memory of
 * tfjs's wasm backend (the WebAssembly heap is an ArrayBuffer; operands are byte offsets into it), so
 * no copies. The BLAS is found at run time with dlopen (OpenBLAS, MKL, oneDNN, BLIS: whichever is
 * installed), so building needs only a C compiler and Node's headers, and the addon is optional.
 */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>
#ifdef _OPENMP
#include <omp.h>
#endif

typedef void (*cblas_sgemm_t)(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                              const float *b, int ldb, float beta, float *c, int ldc);
typedef int (*dnnl_sgemm_t)(char ta, char tb, int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                            const float *b, int64_t ldb, float beta, float *c, int64_t ldc);
typedef void (*set_threads_t)(int n);
typedef int (*get_threads_t)(void);
typedef char *(*get_corename_t)(void);

static void *lib = NULL;
static char lib_name[512] = "";
static cblas_sgemm_t cblas_sgemm_fn = NULL;
static dnnl_sgemm_t dnnl_sgemm_fn = NULL;
static set_threads_t set_threads_fn = NULL;
static get_threads_t get_threads_fn = NULL;
static get_corename_t get_corename_fn = NULL;

#define CHECK(call)                                                                  \
  do {                                                                               \
    if ((call) != napi_ok) {                                                         \
      napi_throw_error(env, NULL, "g2b_native: N-API call failed: " #call);           \
      return NULL;                                                                   \
    }                                                                                \
  } while (0)

static napi_value make_string(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

/* load(path: string) -> boolean: dlopen one BLAS candidate and find its sgemm. */
static napi_value Load(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[512];
  size_t len = 0;
  CHECK(napi_get_value_string_utf8(env, argv[0], path, sizeof(path), &len));
  napi_value result;
  if (lib != NULL) {
    CHECK(napi_get_boolean(env, 1, &result));
    return result;
  }
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  int ok = 0;
  if (h != NULL) {
    cblas_sgemm_fn = (cblas_sgemm_t)dlsym(h, "cblas_sgemm");
    if (cblas_sgemm_fn == NULL) dnnl_sgemm_fn = (dnnl_sgemm_t)dlsym(h, "dnnl_sgemm");
    if (cblas_sgemm_fn != NULL || dnnl_sgemm_fn != NULL) {
      ok = 1;
      lib = h;
      strncpy(lib_name, path, sizeof(lib_name) - 1);
      set_threads_fn = (set_threads_t)dlsym(h, "openblas_set_num_threads");
      get_threads_fn = (get_threads_t)dlsym(h, "openblas_get_num_threads");
      get_corename_fn = (get_corename_t)dlsym(h, "openblas_get_corename");
      if (set_threads_fn == NULL) set_threads_fn = (set_threads_t)dlsym(h, "MKL_Set_Num_Threads");
      if (get_threads_fn == NULL) get_threads_fn = (get_threads_t)dlsym(h, "MKL_Get_Max_Threads");
      if (set_threads_fn == NULL) set_threads_fn = (set_threads_t)dlsym(h, "bli_thread_set_num_threads");
      /* oneDNN (and anything else built on OpenMP): the OpenMP runtime it loaded. */
      if (set_threads_fn == NULL) set_threads_fn = (set_threads_t)dlsym(h, "omp_set_num_threads");
      if (get_threads_fn == NULL) get_threads_fn = (get_threads_t)dlsym(h, "omp_get_max_threads");
    } else {
      dlclose(h);
    }
  }
  CHECK(napi_get_boolean(env, ok, &result));
  return result;
}

/* The vector instructions this file was compiled for (native/march.js): the width of its loops' reductions, so
 * the last bits of LayerNorm, softmax and cross-entropy, follow it. */
#if defined(__AVX512F__)
#define G2B_SIMD "AVX-512"
#elif defined(__AVX2__) && defined(__FMA__)
#define G2B_SIMD "AVX2"
#elif defined(__AVX__)
#define G2B_SIMD "AVX"
#elif defined(__SSE2__)
#define G2B_SIMD "SSE2"
#elif defined(__ARM_NEON)
#define G2B_SIMD "NEON"
#else
#define G2B_SIMD "scalar"
#endif

/* info() -> {lib, api, threads, simd, core?} or null when nothing is loaded; core: the kernels OpenBLAS runs (its own
 * name); simd: the vector instructions of the addon's own loops. */
static napi_value Info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj;
  if (lib == NULL) {
    CHECK(napi_get_null(env, &obj));
    return obj;
  }
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_set_named_property(env, obj, "lib", make_string(env, lib_name)));
  CHECK(napi_set_named_property(env, obj, "api", make_string(env, cblas_sgemm_fn != NULL ? "cblas" : "dnnl")));
  napi_value t;
  CHECK(napi_create_int32(env, get_threads_fn != NULL ? get_threads_fn() : -1, &t));
  CHECK(napi_set_named_property(env, obj, "threads", t));
  CHECK(napi_set_named_property(env, obj, "simd", make_string(env, G2B_SIMD)));
  const char *core = get_corename_fn != NULL ? get_corename_fn() : NULL;
  if (core != NULL && core[0] != '\0') CHECK(napi_set_named_property(env, obj, "core", make_string(env, core)));
  return obj;
}

/* setThreads(n): thread count of the BLAS (no-op when it exposes no setter). */
static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t n = 1;
  CHECK(napi_get_value_int32(env, argv[0], &n));
  if (set_threads_fn != NULL && n > 0) set_threads_fn(n);
#ifdef _OPENMP
  if (n > 0) omp_set_num_threads(n);
#endif
  return NULL;
}

/*
 * One row-major GEMM through CBLAS, asked in its column-major form: C^T = op(B)^T op(A)^T, B first. OpenBLAS turns a
 * row-major call into exactly this call (operands, sizes and transposes swapped), so on a machine without AVX-512 the
 * products are bit for bit those of the row-major call. On a machine with AVX-512 a row-major call with alpha 1,
 * beta 0 and no transposes goes, when small, to OpenBLAS's SkylakeX "direct" kernel whatever OPENBLAS_CORETYPE says
 * (the check reads the CPU, not the core type in use); the column-major form never does, so with the core type
 * pinned (src/speed/native.ts) every x86-64 machine with AVX2 runs the same kernels and gets the same numbers.
 */
static void cblas_rowmajor(int ta, int tb, int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                           const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
  cblas_sgemm_fn(102 /* column major */, tb ? 112 : 111, ta ? 112 : 111, (int)n, (int)m, (int)k, alpha, b, (int)ldb, a,
                 (int)lda, beta, c, (int)ldc);
}

static void gemm_ld(int ta, int tb, int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda, const float *b,
                    int64_t ldb, float beta, float *c, int64_t ldc) {
  if (cblas_sgemm_fn != NULL) {
    cblas_rowmajor(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  } else {
    dnnl_sgemm_fn(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
}

static void gemm(int ta, int tb, int64_t m, int64_t n, int64_t k, const float *a, const float *b, float *c) {
  const int64_t lda = ta ? m : k;
  const int64_t ldb = tb ? k : n;
  if (cblas_sgemm_fn != NULL) {
    cblas_rowmajor(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n);
  } else {
    dnnl_sgemm_fn(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n);
  }
}

/*
 * sgemm(heap: ArrayBuffer, ta, tb, m, n, k, aOff, bOff, cOff, batch, strideA, strideB, strideC):
 * for i < batch: C_i[m, n] = op(A_i) op(B_i), row-major, offsets in bytes, strides in floats (a stride
 * of 0 broadcasts that operand).
 */
static napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 13) {
    napi_throw_type_error(env, NULL, "g2b_native.sgemm: expected 13 arguments");
    return NULL;
  }
  if (lib == NULL) {
    napi_throw_error(env, NULL, "g2b_native.sgemm: no BLAS loaded (call load first)");
    return NULL;
  }
  void *data = NULL;
  size_t bytes = 0;
  CHECK(napi_get_arraybuffer_info(env, argv[0], &data, &bytes));
  bool ta, tb;
  CHECK(napi_get_value_bool(env, argv[1], &ta));
  CHECK(napi_get_value_bool(env, argv[2], &tb));
  int64_t v[10];
  for (int i = 0; i < 10; i++) CHECK(napi_get_value_int64(env, argv[3 + i], &v[i]));
  const int64_t m = v[0], n = v[1], k = v[2], ao = v[3], bo = v[4], co = v[5], batch = v[6], sa = v[7], sb = v[8], sc = v[9];
  const int64_t last_a = ao + 4 * ((batch - 1) * sa + m * k);
  const int64_t last_b = bo + 4 * ((batch - 1) * sb + k * n);
  const int64_t last_c = co + 4 * ((batch - 1) * sc + m * n);
  if (m < 0 || n < 0 || k < 0 || batch < 0 || ao < 0 || bo < 0 || co < 0 || last_a > (int64_t)bytes ||
      last_b > (int64_t)bytes || last_c > (int64_t)bytes) {
    napi_throw_range_error(env, NULL, "g2b_native.sgemm: operand outside the buffer");
    return NULL;
  }
  char *base = (char *)data;
  for (int64_t i = 0; i < batch; i++) {
    const float *a = (const float *)(base + ao) + i * sa;
    const float *b = (const float *)(base + bo) + i * sb;
    float *c = (float *)(base + co) + i * sc;
    if (k == 0) {
      memset(c, 0, sizeof(float) * (size_t)(m * n));
      continue;
    }
    gemm(ta, tb, m, n, k, a, b, c);
  }
  return NULL;
}


/* ---------------------------------------------------------------------------------------------
 * Fused kernels on the heap. Arguments: the heap ArrayBuffer, then byte offsets and sizes as numbers.
 * Each mirrors a JS reference implementation in src/speed/fused-kernels.ts (same maths, same loop order
 * where it matters for determinism).
 * ------------------------------------------------------------------------------------------- */

/*
 * expf that vectorises (no libm call, no branches): exp(x) = 2^n 2^f with n = round(x log2 e) and a
 * degree-6 polynomial for 2^f on [-0.5, 0.5] (relative error < 2e-7, about 2 ulp). Inputs are clamped
 * to [-87.3, 88.7] (exp(-87.3) ~ 1.2e-38, the smallest normal; below that the result is 0 in softmax
 * terms anyway).
 */
static inline float g2b_expf(float x) {
  x = x < -87.3f ? -87.3f : x;
  x = x > 88.7f ? 88.7f : x;
  const float t = x * 1.44269504088896341f;
  /* round to nearest with the 1.5 * 2^23 trick (exact in float32, vectorises) */
  const float n = (t + 12582912.0f) - 12582912.0f;
  const float f = t - n; /* in [-0.5, 0.5] */
  /* 2^f = exp(f ln 2), minimax-style coefficients */
  float p = 1.535336188319500e-4f;
  p = p * f + 1.339887440266574e-3f;
  p = p * f + 9.618437357674640e-3f;
  p = p * f + 5.550332471162809e-2f;
  p = p * f + 2.402264791363012e-1f;
  p = p * f + 6.931472028550421e-1f;
  p = p * f + 1.0f;
  const int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

typedef struct {
  char *base;
  size_t bytes;
  double v[24];
} args_t;

/* Parse (heap, then n numbers); throws and returns 0 on error. */
static int get_args(napi_env env, napi_callback_info info, size_t n, args_t *out, const char *name) {
  size_t argc = 25;
  napi_value argv[25];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != n + 1) {
    char msg[128];
    snprintf(msg, sizeof msg, "g2b_native.%s: expected %zu arguments", name, n + 1);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  void *data = NULL;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &out->bytes) != napi_ok) {
    napi_throw_type_error(env, NULL, "g2b_native: first argument must be the heap ArrayBuffer");
    return 0;
  }
  out->base = (char *)data;
  for (size_t i = 0; i < n; i++) {
    if (napi_get_value_double(env, argv[i + 1], &out->v[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "g2b_native: numeric argument expected");
      return 0;
    }
  }
  return 1;
}

/* A float pointer at byte offset `off`, checked to hold `count` floats. */
static float *fptr(napi_env env, args_t *a, double off, double count, int *ok) {
  if (!*ok) return NULL;
  if (off < 0 || count < 0 || off + 4.0 * count > (double)a->bytes) {
    napi_throw_range_error(env, NULL, "g2b_native: operand outside the heap");
    *ok = 0;
    return NULL;
  }
  return (float *)(a->base + (size_t)off);
}

/*
 * gemmEx(heap, ta, tb, m, n, k, alpha, aOff, lda, bOff, ldb, beta, cOff, ldc): one row-major GEMM
 * with leading dimensions (views into wider matrices).
 */
static napi_value GemmEx(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, 13, &a, "gemmEx")) return NULL;
  if (lib == NULL) {
    napi_throw_error(env, NULL, "g2b_native.gemmEx: no BLAS loaded");
    return NULL;
  }
  const int ta = a.v[0] != 0, tb = a.v[1] != 0;
  const int64_t m = (int64_t)a.v[2], n = (int64_t)a.v[3], k = (int64_t)a.v[4];
  const float alpha = (float)a.v[5], beta = (float)a.v[10];
  const int64_t lda = (int64_t)a.v[7], ldb = (int64_t)a.v[9], ldc = (int64_t)a.v[12];
  int ok = 1;
  const float *A = fptr(env, &a, a.v[6], (double)((ta ? k : m) - 1) * lda + (ta ? m : k), &ok);
  const float *B = fptr(env, &a, a.v[8], (double)((tb ? n : k) - 1) * ldb + (tb ? k : n), &ok);
  float *Cp = fptr(env, &a, a.v[11], (double)(m - 1) * ldc + n, &ok);
  if (!ok || m == 0 || n == 0) return NULL;
  if (cblas_sgemm_fn != NULL) {
    cblas_rowmajor(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, Cp, ldc);
  } else {
    dnnl_sgemm_fn(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, alpha, A, lda, B, ldb, beta, Cp, ldc);
  }
  return NULL;
}

/* addRowVector(heap, out, v, rows, cols): out[r, :] += v (bias of a fused matMul). */
static napi_value AddRowVector(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, 4, &a, "addRowVector")) return NULL;
  const int64_t rows = (int64_t)a.v[2], cols = (int64_t)a.v[3];
  int ok = 1;
  float *o = fptr(env, &a, a.v[0], (double)rows * cols, &ok);
  const float *v = fptr(env, &a, a.v[1], cols, &ok);
  if (!ok) return NULL;
  for (int64_t r = 0; r < rows; r++) {
    float *orow = o + r * cols;
    for (int64_t j = 0; j < cols; j++) orow[j] += v[j];
  }
  return NULL;
}

/* colSum(heap, x, out, rows, cols): out[j] = sum_r x[r, j] (sequential over rows, vectorised over j). */
static napi_value ColSum(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, 4, &a, "colSum")) return NULL;
  const int64_t rows = (int64_t)a.v[2], cols = (int64_t)a.v[3];
  int ok = 1;
  const float *x = fptr(env, &a, a.v[0], (double)rows * cols, &ok);
  float *o = fptr(env, &a, a.v[1], cols, &ok);
  if (!ok) return NULL;
  for (int64_t j = 0; j < cols; j++) o[j] = 0.f;
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
#pragma omp simd
    for (int64_t j = 0; j < cols; j++) o[j] += xr[j];
  }
  return NULL;
}

/* layerNormFwd(heap, x, g, b, y, mean, rstd, N, C, eps) */
static napi_value LayerNormFwd(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, 9, &a, "layerNormFwd")) return NULL;
  const int64_t N = (int64_t)a.v[6], C = (int64_t)a.v[7];
  const float eps = (float)a.v[8];
  int ok = 1;
  const float *x = fptr(env, &a, a.v[0], (double)N * C, &ok), *g = fptr(env, &a, a.v[1], C, &ok), *b = fptr(env, &a, a.v[2], C, &ok);
  float *y = fptr(env, &a, a.v[3], (double)N * C, &ok), *mean = fptr(env, &a, a.v[4], N, &ok), *rstd = fptr(env, &a, a.v[5], N, &ok);
  if (!ok) return NULL;
#pragma omp parallel for schedule(static) if (N * C > 65536)
  for (int64_t r = 0; r < N; r++) {
    const float *xr = x + r * C;
    float *yr = y + r * C;
    float s = 0.f;
    for (int64_t j = 0; j < C; j++) s += xr[j];
    const float mu = s / (float)C;
    float ss = 0.f;
    for (int64_t j = 0; j < C; j++) {
      const float d = xr[j] - mu;
      ss += d * d;
    }
    const float rs = 1.f / sqrtf(ss / (float)C + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (int64_t j = 0; j < C; j++) yr[j] = (xr[j] - mu) * rs * g[j] + b[j];
  }
  return NULL;
}

/* layerNormBwd(heap, dy, x, g, mean, rstd, dx, dg, db, N, C) */
static napi_value LayerNormBwd(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, 10, &a, "layerNormBwd")) return NULL;
  const int64_t N = (int64_t)a.v[8], C = (int64_t)a.v[9];
  int ok = 1;
  const float *dy = fptr(env, &a, a.v[0], (double)N * C, &ok), *x = fptr(env, &a, a.v[1], (double)N * C, &ok);
  const float *g = fptr(env, &a, a.v[2], C, &ok), *mean = fptr(env, &a, a.v[3], N, &ok), *rstd = fptr(env, &a, a.v[4], N, &ok);
  float *dx = fptr(env, &a, a.v[5], (double)N * C, &ok), *dg = fptr(env, &a, a.v[6], C, &ok), *db = fptr(env, &a, a.v[7], C, &ok);
  if (!ok) return NULL;
  for (int64_t j = 0; j < C; j++) dg[j] = db[j] = 0.f;
  for (int64_t r = 0; r < N; r++) {
    const float *dyr = dy + r * C, *xr = x + r * C;
    float *dxr = dx + r * C;
    const float mu = mean[r], rs = rstd[r];
    float m1 = 0.f, m2 = 0.f;
    for (int64_t j = 0; j < C; j++) {
      const float xh = (xr[j] - mu) * rs;
      const float dxh = dyr[j] * g[j];
      m1 += dxh;
      m2 += dxh * xh;
      dg[j] += dyr[j] * xh;
      db[j] += dyr[j];
    }
    m1 /= (float)C;
    m2 /= (float)C;
    for (int64_t j = 0; j < C; j++) {
      const float xh = (xr[j] - mu) * rs;
      dxr[j] = rs * (dyr[j] * g[j] - m1 - xh * m2);
    }
  }
  return NULL;
}

#define GELU_B 1.5957691216057308f   /* 2 sqrt(2 / pi) */
#define GELU_A 0.0713548162726009f   /* 2 sqrt(2 / pi) 0.044715 */

/* geluFwd(heap, x, y, n): y = x sigmoid(x (B + A x^2)) (GPT-2's tanh GELU). */
static napi_value GeluFwd(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, 3, &a, "geluFwd")) return NULL;
  int ok = 1;
  const float *x = fptr(env, &a, a.v[0], a.v[2], &ok);
  float *y = fptr(env, &a, a.v[1], a.v[2], &ok);
  if (!ok) return NULL;
  const int64_t n = (int64_t)a.v[2];
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; i++) {
    const float xi = x[i];
    const float u = xi * (GELU_B + GELU_A * xi * xi);
    y[i] = xi / (1.f + g2b_expf(-u));
  }
  return NULL;
}

/* geluBwd(heap, dy, x, dx, n): dx = dy (s + x s (1 - s) (B + 3 A x^2)). */
static napi_value GeluBwd(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, 4, &a, "geluBwd")) return NULL;
  int ok = 1;
  const float *dy = fptr(env, &a, a.v[0], a.v[3], &ok), *x = fptr(env, &a, a.v[1], a.v[3], &ok);
  float *dx = fptr(env, &a, a.v[2], a.v[3], &ok);
  if (!ok) return NULL;
  const int64_t n = (int64_t)a.v[3];
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; i++) {
    const float xi = x[i];
    const float x2 = xi * xi;
    const float s = 1.f / (1.f + g2b_expf(-xi * (GELU_B + GELU_A * x2)));
    dx[i] = dy[i] * (s + xi * s * (1.f - s) * (GELU_B + 3.f * GELU_A * x2));
  }
  return NULL;
}

/* Causal softmax of row i of a T-wide block in place (entries j > i set to 0). */
static inline void causal_softmax_row(float *restrict row, int64_t i, int64_t T) {
  const int64_t n = i + 1;
  float mx = -INFINITY;
  for (int64_t j = 0; j < n; j++) mx = row[j] > mx ? row[j] : mx;
  float sum = 0.f;
#pragma omp simd reduction(+ : sum)
  for (int64_t j = 0; j < n; j++) {
    const float e = g2b_expf(row[j] - mx);
    row[j] = e;
    sum += e;
  }
  const float inv = 1.f / sum;
#pragma omp simd
  for (int64_t j = 0; j < n; j++) row[j] *= inv;
  for (int64_t j = n; j < T; j++) row[j] = 0.f;
}

/*
 * attentionFwd(heap, qkv, out, probs, B, T, nH, hs): causal multi-head attention on qkv [B*T, 3C]
 * (q | k | v, head h at columns h*hs), out [B*T, C], probs [B, nH, T, T] (zeros above the diagonal).
 * Per (batch, head): S = Q K^T / sqrt(hs) and O = P V as two BLAS GEMMs reading q, k, v in place
 * through leading dimensions (no transposes, no copies).
 */
static napi_value AttentionFwd(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, 7, &a, "attentionFwd")) return NULL;
  const int64_t B = (int64_t)a.v[3], T = (int64_t)a.v[4], nH = (int64_t)a.v[5], hs = (int64_t)a.v[6];
  const int64_t C = nH * hs, C3 = 3 * C;
  int ok = 1;
  const float *qkv = fptr(env, &a, a.v[0], (double)B * T * C3, &ok);
  float *out = fptr(env, &a, a.v[1], (double)B * T * C, &ok), *probs = fptr(env, &a, a.v[2], (double)B * nH * T * T, &ok);
  if (!ok || T == 0 || lib == NULL) return NULL;
  const float scale = 1.f / sqrtf((float)hs);
  /* (batch, head) pairs are independent: threads change nothing in the results. */
#pragma omp parallel for schedule(static)
  for (int64_t bh = 0; bh < B * nH; bh++) {
    const int64_t b = bh / nH, h = bh % nH;
    const float *q = qkv + b * T * C3 + h * hs, *k = q + C, *v = q + 2 * C;
    float *P = probs + bh * T * T;
    gemm_ld(0, 1, T, T, hs, scale, q, C3, k, C3, 0.f, P, T);
    for (int64_t i = 0; i < T; i++) causal_softmax_row(P + i * T, i, T);
    gemm_ld(0, 0, T, hs, T, 1.f, P, T, v, C3, 0.f, out + b * T * C + h * hs, C);
  }
  return NULL;
}

/*
 * attentionBwd(heap, qkv, probs, dprobs, dout, dqkv, B, T, nH, hs): gradients of attentionFwd into
 * dqkv [B*T, 3C] (fully overwritten). dprobs (the gradient arriving at the returned probabilities) is
 * optional: an offset < 0 means none. Per (batch, head): dP = dO V^T, dS = P (dP - rowsum(P dP)),
 * dQ = dS K, dK = dS^T Q, dV = P^T dO (five GEMMs in place).
 */
static napi_value AttentionBwd(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, 9, &a, "attentionBwd")) return NULL;
  const int64_t B = (int64_t)a.v[5], T = (int64_t)a.v[6], nH = (int64_t)a.v[7], hs = (int64_t)a.v[8];
  const int64_t C = nH * hs, C3 = 3 * C;
  int ok = 1;
  const float *qkv = fptr(env, &a, a.v[0], (double)B * T * C3, &ok), *probs = fptr(env, &a, a.v[1], (double)B * nH * T * T, &ok);
  const float *dprobs = a.v[2] < 0 ? NULL : fptr(env, &a, a.v[2], (double)B * nH * T * T, &ok);
  const float *dout = fptr(env, &a, a.v[3], (double)B * T * C, &ok);
  float *dqkv = fptr(env, &a, a.v[4], (double)B * T * C3, &ok);
  if (!ok || T == 0 || lib == NULL) return NULL;
  const float scale = 1.f / sqrtf((float)hs);
  int failed = 0;
#pragma omp parallel reduction(| : failed)
  {
    float *dS = (float *)malloc(sizeof(float) * (size_t)(T * T));
    if (dS == NULL) failed = 1;
#pragma omp for schedule(static)
    for (int64_t bh = 0; bh < B * nH; bh++) {
      if (dS == NULL) continue;
      const int64_t b = bh / nH, h = bh % nH;
      const float *q = qkv + b * T * C3 + h * hs, *k = q + C, *v = q + 2 * C;
      float *dq = dqkv + b * T * C3 + h * hs, *dk = dq + C, *dv = dq + 2 * C;
      const float *P = probs + bh * T * T;
      const float *dPr = dprobs == NULL ? NULL : dprobs + bh * T * T;
      const float *dO = dout + b * T * C + h * hs;
      if (dPr != NULL) memcpy(dS, dPr, sizeof(float) * (size_t)(T * T));
      gemm_ld(0, 1, T, T, hs, 1.f, dO, C, v, C3, dPr != NULL ? 1.f : 0.f, dS, T);
      for (int64_t i = 0; i < T; i++) {
        const float *restrict row = P + i * T;
        float *restrict d = dS + i * T;
        const int64_t n = i + 1;
        float dot = 0.f;
#pragma omp simd reduction(+ : dot)
        for (int64_t j = 0; j < n; j++) dot += row[j] * d[j];
#pragma omp simd
        for (int64_t j = 0; j < n; j++) d[j] = row[j] * (d[j] - dot) * scale;
        for (int64_t j = n; j < T; j++) d[j] = 0.f;
      }
      gemm_ld(0, 0, T, hs, T, 1.f, dS, T, k, C3, 0.f, dq, C3);
      gemm_ld(1, 0, T, hs, T, 1.f, dS, T, q, C3, 0.f, dk, C3);
      gemm_ld(1, 0, T, hs, T, 1.f, P, T, dO, C, 0.f, dv, C3);
    }
    free(dS);
  }
  if (failed) napi_throw_error(env, NULL, "g2b_native.attentionBwd: out of memory");
  return NULL;
}

/*
 * crossEntropyFwd(heap, logits, targets(int32), mask, nll, N, V): nll[r] = logsumexp(logits_r) -
 * logits_r[target_r] (0 where mask is 0).
 */
static napi_value CrossEntropyFwd(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, 6, &a, "crossEntropyFwd")) return NULL;
  const int64_t N = (int64_t)a.v[4], V = (int64_t)a.v[5];
  int ok = 1;
  const float *lg = fptr(env, &a, a.v[0], (double)N * V, &ok);
  const int32_t *tg = (const int32_t *)fptr(env, &a, a.v[1], N, &ok);
  const float *mask = fptr(env, &a, a.v[2], N, &ok);
  float *nll = fptr(env, &a, a.v[3], N, &ok);
  if (!ok) return NULL;
#pragma omp parallel for schedule(static) if (N * V > 65536)
  for (int64_t r = 0; r < N; r++) {
    const float *l = lg + r * V;
    float mx = -INFINITY;
    for (int64_t j = 0; j < V; j++) if (l[j] > mx) mx = l[j];
    float s = 0.f;
    for (int64_t j = 0; j < V; j++) s += g2b_expf(l[j] - mx);
    const int32_t t = tg[r];
    nll[r] = (mask[r] != 0.f && t >= 0 && t < V) ? (logf(s) + mx - l[t]) : 0.f;
  }
  return NULL;
}

/* crossEntropyBwd(heap, logits, targets, mask, dlogits, N, V, coef): dlogits = (softmax - onehot) mask coef. */
static napi_value CrossEntropyBwd(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, 7, &a, "crossEntropyBwd")) return NULL;
  const int64_t N = (int64_t)a.v[4], V = (int64_t)a.v[5];
  const float coef = (float)a.v[6];
  int ok = 1;
  const float *lg = fptr(env, &a, a.v[0], (double)N * V, &ok);
  const int32_t *tg = (const int32_t *)fptr(env, &a, a.v[1], N, &ok);
  const float *mask = fptr(env, &a, a.v[2], N, &ok);
  float *dl = fptr(env, &a, a.v[3], (double)N * V, &ok);
  if (!ok) return NULL;
#pragma omp parallel for schedule(static) if (N * V > 65536)
  for (int64_t r = 0; r < N; r++) {
    const float *l = lg + r * V;
    float *d = dl + r * V;
    const float w = mask[r] * coef;
    if (w == 0.f) {
      for (int64_t j = 0; j < V; j++) d[j] = 0.f;
      continue;
    }
    float mx = -INFINITY;
    for (int64_t j = 0; j < V; j++) if (l[j] > mx) mx = l[j];
    float s = 0.f;
    for (int64_t j = 0; j < V; j++) {
      const float e = g2b_expf(l[j] - mx);
      d[j] = e;
      s += e;
    }
    const float inv = 1.f / s;
    for (int64_t j = 0; j < V; j++) d[j] = d[j] * inv * w;
    const int32_t t = tg[r];
    if (t >= 0 && t < V) d[t] -= w;
  }
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"load", NULL, Load, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, Info, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_default, NULL},
      {"sgemm", NULL, Sgemm, NULL, NULL, NULL, napi_default, NULL},
      {"gemmEx", NULL, GemmEx, NULL, NULL, NULL, napi_default, NULL},
      {"addRowVector", NULL, AddRowVector, NULL, NULL, NULL, napi_default, NULL},
      {"colSum", NULL, ColSum, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormFwd", NULL, LayerNormFwd, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormBwd", NULL, LayerNormBwd, NULL, NULL, NULL, napi_default, NULL},
      {"geluFwd", NULL, GeluFwd, NULL, NULL, NULL, napi_default, NULL},
      {"geluBwd", NULL, GeluBwd, NULL, NULL, NULL, napi_default, NULL},
      {"attentionFwd", NULL, AttentionFwd, NULL, NULL, NULL, napi_default, NULL},
      {"attentionBwd", NULL, AttentionBwd, NULL, NULL, NULL, napi_default, NULL},
      {"crossEntropyFwd", NULL, CrossEntropyFwd, NULL, NULL, NULL, napi_default, NULL},
      {"crossEntropyBwd", NULL, CrossEntropyBwd, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
