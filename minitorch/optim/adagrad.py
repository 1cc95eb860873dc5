"""Adagrad: each coordinate's step shrinks with the sum of its squared gradients so far."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.optim.optimizer import Optimizer, ParamGroup, Params, check_non_negative


class Adagrad(Optimizer):
    r"""Adagrad, as in ``torch.optim.Adagrad``.

    With learning rate γ, learning-rate decay η, weight decay λ, initial accumulator value
    τ and step t = 1, 2, ...::

        g_t = ∇f(θ_{t-1})                  (-∇f(θ_{t-1}) if maximize)
        g_t = g_t + λ θ_{t-1}              if λ ≠ 0
        γ_t = γ / (1 + (t - 1) η)
        s_t = s_{t-1} + g_t²
        θ_t = θ_{t-1} - γ_t g_t / (sqrt(s_t) + ε)

    with s_0 = τ. State entries: ``"step"`` (t) and ``"sum"`` (s).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: ParamGroup) -> None:
        check_non_negative(
            group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"
        )

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        return {"step": 0, "sum": np.full_like(param, group["initial_accumulator_value"])}

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup
    ) -> None:
        state["step"] = step = state["step"] + 1
        grad = self._objective_grad(param, grad, group["weight_decay"], group["maximize"])
        work = self._work_array(param, 1)
        state_sum = state["sum"]
        state_sum += np.multiply(grad, grad, out=work)
        denominator = np.sqrt(state_sum, out=work)
        denominator += group["eps"]
        update = np.divide(grad, denominator, out=work)
        update *= group["lr"] / (1.0 + (step - 1) * group["lr_decay"])
        param -= update
