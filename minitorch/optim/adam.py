"""Adam and AdamW: one update rule, with the weight decay either added to the gradient (an L2
penalty, Adam) or applied to the weights directly (decoupled, AdamW)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitorch.optim.optimizer import Optimizer, ParamGroup, Params, check_non_negative


class Adam(Optimizer):
    r"""Adam, as in ``torch.optim.Adam``.

    With learning rate γ, betas (β1, β2), weight decay λ and step t = 1, 2, ...::

        g_t = ∇f(θ_{t-1})                  (-∇f(θ_{t-1}) if maximize)
        g_t = g_t + λ θ_{t-1}              if λ ≠ 0
        m_t = β1 m_{t-1} + (1 - β1) g_t
        v_t = β2 v_{t-1} + (1 - β2) g_t²
        v_t' = max(v_{t-1}', v_t)          if amsgrad, else v_t' = v_t
        θ_t = θ_{t-1} - γ (m_t / (1 - β1^t)) / (sqrt(v_t' / (1 - β2^t)) + ε)

    with m_0 = v_0 = v_0' = 0. State entries: ``"step"`` (t), ``"exp_avg"`` (m),
    ``"exp_avg_sq"`` (v) and, with amsgrad, ``"max_exp_avg_sq"`` (v').

    ``decoupled_weight_decay=True`` is AdamW: the weights shrink by γλ at the start of each
    step instead of λθ being added to the gradient.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: ParamGroup) -> None:
        check_non_negative(group, "lr", "eps", "weight_decay")
        betas = group["betas"]
        if len(betas) != 2 or not all(0.0 <= beta < 1.0 for beta in betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas}")

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        state = {"step": 0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(param)
        return state

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup
    ) -> None:
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        state["step"] = step = state["step"] + 1
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]

        if group["decoupled_weight_decay"]:
            if weight_decay:
                param *= 1.0 - lr * weight_decay
            weight_decay = 0.0
        grad = self._objective_grad(param, grad, weight_decay, group["maximize"])
        work = self._work_array(param, 1)

        exp_avg *= beta1
        exp_avg += np.multiply(grad, 1.0 - beta1, out=work)
        exp_avg_sq *= beta2
        np.multiply(grad, grad, out=work)
        exp_avg_sq += np.multiply(work, 1.0 - beta2, out=work)
        second_moment = exp_avg_sq
        if group["amsgrad"]:
            second_moment = state["max_exp_avg_sq"]
            np.maximum(second_moment, exp_avg_sq, out=second_moment)

        # sqrt(v / c2) + eps == (sqrt(v) + eps * sqrt(c2)) / sqrt(c2): moving the division by
        # sqrt(c2) into the scalar step size saves a pass over the array.
        bias_correction1 = 1.0 - beta1**step
        sqrt_bias_correction2 = math.sqrt(1.0 - beta2**step)
        denominator = np.sqrt(second_moment, out=work)
        denominator += eps * sqrt_bias_correction2
        update = np.divide(exp_avg, denominator, out=work)
        update *= lr * sqrt_bias_correction2 / bias_correction1
        param -= update


class AdamW(Adam):
    r"""Adam with decoupled weight decay, as in ``torch.optim.AdamW``.

    The same as :class:`Adam` except that weight decay shrinks the weights at the start of
    each step instead of adding λθ to the gradient::

        θ_{t-1} = θ_{t-1} (1 - γ λ)

    so the decay is not rescaled by the adaptive denominator. Defaults to λ = 0.01.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
