"""RMSprop: gradient steps scaled by a running root-mean-square of the gradient."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.optim.optimizer import Optimizer, ParamGroup, Params, check_non_negative


class RMSprop(Optimizer):
    r"""RMSprop, as in ``torch.optim.RMSprop``.

    With learning rate γ, smoothing constant α, momentum μ and weight decay λ::

        g_t = ∇f(θ_{t-1})                  (-∇f(θ_{t-1}) if maximize)
        g_t = g_t + λ θ_{t-1}              if λ ≠ 0
        v_t = α v_{t-1} + (1 - α) g_t²
        s_t = v_t
        if centered:
            a_t = α a_{t-1} + (1 - α) g_t
            s_t = v_t - a_t²
        if μ > 0:
            b_t = μ b_{t-1} + g_t / (sqrt(s_t) + ε)
            θ_t = θ_{t-1} - γ b_t
        else:
            θ_t = θ_{t-1} - γ g_t / (sqrt(s_t) + ε)

    with v_0 = a_0 = b_0 = 0. State entries: ``"step"``, ``"square_avg"`` (v), with momentum
    ``"momentum_buffer"`` (b), and when centered ``"grad_avg"`` (a).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            capturable=capturable,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: ParamGroup) -> None:
        check_non_negative(group, "lr", "eps", "weight_decay", "momentum")
        if not 0.0 <= group["alpha"] <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {group['alpha']}")

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        state = {"step": 0, "square_avg": np.zeros_like(param)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(param)
        return state

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup
    ) -> None:
        alpha, momentum = group["alpha"], group["momentum"]
        state["step"] += 1
        grad = self._objective_grad(param, grad, group["weight_decay"], group["maximize"])
        work = self._work_array(param, 1)

        square_avg = state["square_avg"]
        square_avg *= alpha
        np.multiply(grad, grad, out=work)
        square_avg += np.multiply(work, 1.0 - alpha, out=work)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg *= alpha
            grad_avg += np.multiply(grad, 1.0 - alpha, out=work)
            np.multiply(grad_avg, grad_avg, out=work)
            denominator = np.subtract(square_avg, work, out=work)
            np.sqrt(denominator, out=denominator)
        else:
            denominator = np.sqrt(square_avg, out=work)
        denominator += group["eps"]

        if momentum > 0:
            buffer = state["momentum_buffer"]
            buffer *= momentum
            buffer += np.divide(grad, denominator, out=work)
            param -= np.multiply(buffer, group["lr"], out=work)
        else:
            update = np.divide(grad, denominator, out=work)
            param -= np.multiply(update, group["lr"], out=work)
