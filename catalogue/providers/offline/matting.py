"""Closed-form alpha matting (Levin, Lischinski and Weiss 2008) on the unknown band of a trimap.

The matting Laplacian is never built: its product with a vector is computed with box filters
(He, Sun and Tang, "Fast matting using large kernel matting Laplacian matrices", 2010), so one
conjugate-gradient step costs a handful of ``cv2.boxFilter`` calls over the band's bounding box.
Known pixels (trimap 0 or 1) stay fixed; the solve starts from the network's own alpha, so a few
dozen steps suffice. Everything is float32 and runs at the matte's working size (about 512 px).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

EPSILON = 1e-5  # regularisation of the local colour models (Levin's epsilon)
RADIUS = 1  # window radius: 3x3 windows, as in the paper


def symmetric_inverse(c: dict) -> dict:
    """Per-pixel inverse of symmetric 3x3 matrices given as ``{(i, j): plane}`` for i <= j."""
    a, b, cc, d, e, f = (
        c[k].astype(np.float64) for k in ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))
    )
    m00, m01, m02 = d * f - e * e, cc * e - b * f, b * e - cc * d
    m11, m12, m22 = a * f - cc * cc, b * cc - a * e, a * d - b * b
    det = a * m00 + b * m01 + cc * m02
    inv = 1.0 / np.where(det == 0, 1e-30, det)
    pairs = {(0, 0): m00, (0, 1): m01, (0, 2): m02, (1, 1): m11, (1, 2): m12, (2, 2): m22}
    return {k: (m * inv).astype(np.float32) for k, m in pairs.items()}


def covariance(image: np.ndarray, mean: Sequence[np.ndarray], box) -> dict:
    """Per-window colour covariance ``{(i, j): plane}`` with ``box`` a mean filter."""
    return {
        (i, j): box(image[..., i] * image[..., j]) - mean[i] * mean[j]
        for i in range(3)
        for j in range(i, 3)
    }


def apply(inv: dict, v: list) -> list:
    """The symmetric matrices ``inv`` times the vectors ``v`` (three planes)."""
    return [
        inv[0, 0] * v[0] + inv[0, 1] * v[1] + inv[0, 2] * v[2],
        inv[0, 1] * v[0] + inv[1, 1] * v[1] + inv[1, 2] * v[2],
        inv[0, 2] * v[0] + inv[1, 2] * v[1] + inv[2, 2] * v[2],
    ]


class _Laplacian:
    """``L @ p`` for the matting Laplacian of ``image`` (float32 H x W x 3 in 0..1)."""

    def __init__(self, image: np.ndarray, radius: int = RADIUS, eps: float = EPSILON):
        self.size = (2 * radius + 1, 2 * radius + 1)
        self.count = float(self.size[0] * self.size[1])
        self.image = image
        self.channels = [np.ascontiguousarray(image[..., c]) for c in range(3)]
        self.mu = cv2.split(self._mean(image))
        cov = covariance(image, self.mu, self._mean)
        for i in range(3):
            cov[i, i] = cov[i, i] + eps / self.count
        self.inv = symmetric_inverse(cov)  # Δ_k⁻¹ per window

    def _mean(self, x: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(x, -1, self.size, borderType=cv2.BORDER_REFLECT)

    def __matmul__(self, p: np.ndarray) -> np.ndarray:
        mean_p = self._mean(p)
        mean_ip = cv2.split(self._mean(self.image * p[..., None]))
        v = [mean_ip[c] - self.mu[c] * mean_p for c in range(3)]
        a = apply(self.inv, v)
        b = mean_p - a[0] * self.mu[0] - a[1] * self.mu[1] - a[2] * self.mu[2]
        a_sum = cv2.split(self._mean(cv2.merge(a)))  # means over windows: sums divided by |w|
        out = p - self._mean(b)
        for c in range(3):
            out -= a_sum[c] * self.channels[c]
        return self.count * out


def solve(
    image: np.ndarray, trimap: np.ndarray, initial: np.ndarray, steps: int = 16
) -> np.ndarray:
    """Alpha (float32 0..1) for ``trimap`` (0 = background, 1 = foreground, else unknown).

    ``image`` is float32 RGB in 0..1 at the trimap's size; ``initial`` the starting alpha.
    """
    unknown = (trimap > 0.01) & (trimap < 0.99)
    alpha = np.where(unknown, initial, (trimap >= 0.99).astype(np.float32)).astype(np.float32)
    if not unknown.any():
        return alpha
    ys, xs = np.nonzero(unknown)
    pad = 2 * RADIUS + 2
    y0, y1 = max(0, ys.min() - pad), min(trimap.shape[0], ys.max() + pad + 1)
    x0, x1 = max(0, xs.min() - pad), min(trimap.shape[1], xs.max() + pad + 1)
    crop = (slice(y0, y1), slice(x0, x1))
    lap = _Laplacian(np.ascontiguousarray(image[crop]))
    free = unknown[crop].astype(np.float32)
    x = np.ascontiguousarray(alpha[crop])
    residual = -(lap @ x) * free  # solve L_uu x_u = -L_uk x_k, starting from x
    direction = residual.copy()
    rr = float((residual * residual).sum())
    start = rr
    for _ in range(steps):
        if rr <= 1e-6 * start or rr < 1e-10:
            break
        ad = (lap @ direction) * free
        step = rr / max(float((direction * ad).sum()), 1e-20)
        x += step * direction
        residual -= step * ad
        new_rr = float((residual * residual).sum())
        direction = residual + (new_rr / rr) * direction
        rr = new_rr
    alpha[crop] = np.clip(x, 0.0, 1.0)
    return alpha
