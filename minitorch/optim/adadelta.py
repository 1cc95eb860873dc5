"""Adadelta: steps sized by the ratio of two running root-mean-squares, of the updates and of
the gradients, so the learning rate is close to unit-free."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.optim.optimizer import Optimizer, ParamGroup, Params, check_non_negative


class Adadelta(Optimizer):
    r"""Adadelta, as in ``torch.optim.Adadelta`` (the optimizer of pytorch/examples' MNIST).

    With learning rate γ, decay ρ, ε and weight decay λ::

        g_t = ∇f(θ_{t-1})                  (-∇f(θ_{t-1}) if maximize)
        g_t = g_t + λ θ_{t-1}              if λ ≠ 0
        v_t = ρ v_{t-1} + (1 - ρ) g_t²
        Δ_t = sqrt(u_{t-1} + ε) / sqrt(v_t + ε) · g_t
        u_t = ρ u_{t-1} + (1 - ρ) Δ_t²
        θ_t = θ_{t-1} - γ Δ_t

    with v_0 = u_0 = 0. State entries: ``"step"``, ``"square_avg"`` (v) and
    ``"acc_delta"`` (u).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: ParamGroup) -> None:
        check_non_negative(group, "lr", "eps", "weight_decay")
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"rho must be in [0, 1], got {group['rho']}")

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        return {"step": 0, "square_avg": np.zeros_like(param), "acc_delta": np.zeros_like(param)}

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup
    ) -> None:
        rho, eps = group["rho"], group["eps"]
        state["step"] += 1
        grad = self._objective_grad(param, grad, group["weight_decay"], group["maximize"])
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        work, delta = self._work_array(param, 1), self._work_array(param, 2)

        square_avg *= rho
        square_avg += np.multiply(np.multiply(grad, grad, out=work), 1.0 - rho, out=work)
        std = np.sqrt(np.add(square_avg, eps, out=work), out=work)
        np.sqrt(np.add(acc_delta, eps, out=delta), out=delta)
        delta /= std
        delta *= grad
        acc_delta *= rho
        acc_delta += np.multiply(np.multiply(delta, delta, out=work), 1.0 - rho, out=work)
        param -= np.multiply(delta, group["lr"], out=delta)
