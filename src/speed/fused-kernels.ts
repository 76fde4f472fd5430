/**
 * Reference implementations of gen2brain's fused kernels on plain typed arrays. They run
 * inside tfjs kernels on the wasm heap or the cpu backend's arrays when the native addon is absent,
 * and they are the specification the native versions (native/g2b_native.c) follow: same maths, same
 * loop order where summation order matters.
 *
 * Shapes: N rows, C features, B batch, T time, nH heads, hs head size (C = nH hs), V vocabulary.
 */

/** LayerNorm forward over rows of x [N, C]: y = (x - mean) rstd g + b; also mean [N], rstd [N]. */
export function layerNormFwd(
  x: Float32Array,
  g: Float32Array,
  b: Float32Array,
  y: Float32Array,
  mean: Float32Array,
  rstd: Float32Array,
  N: number,
  C: number,
  eps: number,
): void {
  const f = Math.fround;
  for (let r = 0; r < N; r++) {
    const o = r * C;
    let s = 0;
    for (let j = 0; j < C; j++) s = f(s + x[o + j]);
    const mu = f(s / C);
    let ss = 0;
    for (let j = 0; j < C; j++) {
      const d = f(x[o + j] - mu);
      ss = f(ss + f(d * d));
    }
    const rs = f(1 / f(Math.sqrt(f(f(ss / C) + eps))));
    mean[r] = mu;
    rstd[r] = rs;
    for (let j = 0; j < C; j++) y[o + j] = f(f(f(f(x[o + j] - mu) * rs) * g[j]) + b[j]);
  }
}

/** LayerNorm backward: dx [N, C], and the column sums dg [C], db [C] (overwritten). */
export function layerNormBwd(
  dy: Float32Array,
  x: Float32Array,
  g: Float32Array,
  mean: Float32Array,
  rstd: Float32Array,
  dx: Float32Array,
  dg: Float32Array,
  db: Float32Array,
  N: number,
  C: number,
): void {
  const f = Math.fround;
  dg.fill(0);
  db.fill(0);
  for (let r = 0; r < N; r++) {
    const o = r * C;
    const mu = mean[r];
    const rs = rstd[r];
    let m1 = 0;
    let m2 = 0;
    for (let j = 0; j < C; j++) {
      const xh = f(f(x[o + j] - mu) * rs);
      const d = dy[o + j];
      const dxh = f(d * g[j]);
      m1 = f(m1 + dxh);
      m2 = f(m2 + f(dxh * xh));
      dg[j] = f(dg[j] + f(d * xh));
      db[j] = f(db[j] + d);
    }
    m1 = f(m1 / C);
    m2 = f(m2 / C);
    for (let j = 0; j < C; j++) {
      const xh = f(f(x[o + j] - mu) * rs);
      dx[o + j] = f(rs * f(f(f(dy[o + j] * g[j]) - m1) - f(xh * m2)));
    }
  }
}

/** 2 sqrt(2/pi) and 2 sqrt(2/pi) 0.044715: GPT-2's tanh GELU as x sigmoid(x (B + A x^2)). */
export const GELU_B = 2 * Math.sqrt(2 / Math.PI);
export const GELU_A = GELU_B * 0.044715;

/** GELU (tanh approximation) forward: y = x sigmoid(x (B + A x^2)). */
export function geluFwd(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    y[i] = xi / (1 + Math.exp(-xi * (GELU_B + GELU_A * xi * xi)));
  }
}

/** GELU backward: dx = dy (s + x s (1 - s) (B + 3 A x^2)), s = sigmoid(x (B + A x^2)). */
export function geluBwd(dy: Float32Array, x: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const x2 = xi * xi;
    const s = 1 / (1 + Math.exp(-xi * (GELU_B + GELU_A * x2)));
    dx[i] = dy[i] * (s + xi * s * (1 - s) * (GELU_B + 3 * GELU_A * x2));
  }
}

/**
 * Causal multi-head self-attention forward (Vaswani et al. 2017, eq. 1) on the fused projection
 * qkv [B*T, 3C] (q | k | v, head h at columns h*hs): out [B*T, C] (heads merged), probs [B, nH, T, T]
 * (softmax(q k^T / sqrt(hs)) over keys j <= i, zeros above the diagonal).
 */
export function attentionFwd(
  qkv: Float32Array,
  out: Float32Array,
  probs: Float32Array,
  B: number,
  T: number,
  nH: number,
  hs: number,
): void {
  const C = nH * hs;
  const C3 = 3 * C;
  const scale = 1 / Math.sqrt(hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nH; h++) {
      const q = b * T * C3 + h * hs;
      const k = q + C;
      const v = q + 2 * C;
      const P = (b * nH + h) * T * T;
      const o = b * T * C + h * hs;
      for (let i = 0; i < T; i++) {
        const row = P + i * T;
        const qi = q + i * C3;
        let mx = -Infinity;
        for (let j = 0; j <= i; j++) {
          const kj = k + j * C3;
          let s = 0;
          for (let d = 0; d < hs; d++) s += qkv[qi + d] * qkv[kj + d];
          s *= scale;
          probs[row + j] = s;
          if (s > mx) mx = s;
        }
        let sum = 0;
        for (let j = 0; j <= i; j++) {
          const e = Math.exp(probs[row + j] - mx);
          probs[row + j] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let j = 0; j <= i; j++) probs[row + j] = probs[row + j] * inv;
        for (let j = i + 1; j < T; j++) probs[row + j] = 0;
        const oi = o + i * C;
        for (let d = 0; d < hs; d++) out[oi + d] = 0;
        for (let j = 0; j <= i; j++) {
          const p = probs[row + j];
          const vj = v + j * C3;
          for (let d = 0; d < hs; d++) out[oi + d] = out[oi + d] + p * qkv[vj + d];
        }
      }
    }
  }
}

/**
 * Causal attention backward: dqkv [B*T, 3C] (overwritten) from qkv, probs, dout [B*T, C] and,
 * optionally, the gradient arriving at the returned probabilities (dprobs [B, nH, T, T]).
 */
export function attentionBwd(
  qkv: Float32Array,
  probs: Float32Array,
  dprobs: Float32Array | null,
  dout: Float32Array,
  dqkv: Float32Array,
  B: number,
  T: number,
  nH: number,
  hs: number,
): void {
  const C = nH * hs;
  const C3 = 3 * C;
  const scale = 1 / Math.sqrt(hs);
  const dP = new Float32Array(T);
  dqkv.fill(0);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nH; h++) {
      const q = b * T * C3 + h * hs;
      const k = q + C;
      const v = q + 2 * C;
      const P = (b * nH + h) * T * T;
      const dO = b * T * C + h * hs;
      for (let i = 0; i < T; i++) {
        const row = P + i * T;
        const doi = dO + i * C;
        let dot = 0;
        for (let j = 0; j <= i; j++) {
          const vj = v + j * C3;
          let s = 0;
          for (let d = 0; d < hs; d++) s += dout[doi + d] * qkv[vj + d];
          if (dprobs !== null) s += dprobs[row + j];
          dP[j] = s;
          dot += probs[row + j] * s;
        }
        const qi = q + i * C3;
        for (let j = 0; j <= i; j++) {
          const p = probs[row + j];
          const ds = p * (dP[j] - dot) * scale;
          const kj = k + j * C3;
          const vj = v + j * C3;
          for (let d = 0; d < hs; d++) {
            dqkv[qi + d] = dqkv[qi + d] + ds * qkv[kj + d];
            dqkv[kj + d] = dqkv[kj + d] + ds * qkv[qi + d];
            dqkv[vj + d] = dqkv[vj + d] + p * dout[doi + d];
          }
        }
      }
    }
  }
}

/**
 * Per-row negative log-likelihood of integer targets under softmax(logits): nll[r] =
 * logsumexp(logits_r) - logits_r[t_r], 0 where mask is 0 (or the target is out of range).
 */
export function crossEntropyFwd(
  logits: Float32Array,
  targets: Int32Array,
  mask: Float32Array,
  nll: Float32Array,
  N: number,
  V: number,
): void {
  for (let r = 0; r < N; r++) {
    const o = r * V;
    let mx = -Infinity;
    for (let j = 0; j < V; j++) if (logits[o + j] > mx) mx = logits[o + j];
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(logits[o + j] - mx);
    const t = targets[r];
    nll[r] = mask[r] !== 0 && t >= 0 && t < V ? Math.log(s) + mx - logits[o + t] : 0;
  }
}

/** Gradient of sum_r coef mask_r nll_r wrt logits: (softmax - onehot) mask coef. */
export function crossEntropyBwd(
  logits: Float32Array,
  targets: Int32Array,
  mask: Float32Array,
  dlogits: Float32Array,
  N: number,
  V: number,
  coef: number,
): void {
  for (let r = 0; r < N; r++) {
    const o = r * V;
    const w = mask[r] * coef;
    if (w === 0) {
      dlogits.fill(0, o, o + V);
      continue;
    }
    let mx = -Infinity;
    for (let j = 0; j < V; j++) if (logits[o + j] > mx) mx = logits[o + j];
    let s = 0;
    for (let j = 0; j < V; j++) {
      const e = Math.exp(logits[o + j] - mx);
      dlogits[o + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < V; j++) dlogits[o + j] = dlogits[o + j] * inv * w;
    const t = targets[r];
    if (t >= 0 && t < V) dlogits[o + t] = dlogits[o + t] - w;
  }
}
