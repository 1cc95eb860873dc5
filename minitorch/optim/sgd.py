"""Stochastic gradient descent, optionally with (Nesterov) momentum."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.optim.optimizer import Optimizer, ParamGroup, Params, check_non_negative


class SGD(Optimizer):
    r"""Stochastic gradient descent, as in ``torch.optim.SGD``.

    With learning rate γ, momentum μ, dampening τ and weight decay λ, each step computes::

        g_t = ∇f(θ_{t-1})               (-∇f(θ_{t-1}) if maximize)
        g_t = g_t + λ θ_{t-1}           if λ ≠ 0
        if μ ≠ 0:
            b_t = g_t                       at t = 1
            b_t = μ b_{t-1} + (1 - τ) g_t   at t > 1
            g_t = g_t + μ b_t  if nesterov,  else  g_t = b_t
        θ_t = θ_{t-1} - γ g_t

    The momentum buffer starts as the first gradient itself, undampened; it is the state
    entry ``"momentum_buffer"``. Nesterov momentum needs μ > 0 and τ = 0.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
            foreach=foreach,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: ParamGroup) -> None:
        check_non_negative(group, "lr", "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"Nesterov momentum needs momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']}, dampening={group['dampening']}"
            )

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup
    ) -> None:
        momentum = group["momentum"]
        grad = self._objective_grad(param, grad, group["weight_decay"], group["maximize"])
        work = self._work_array(param, 1)
        direction = grad
        if momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                # A new array, never the gradient's own: a 0-d gradient can be a NumPy
                # scalar, whose astype copy could not be updated in place by later steps.
                buffer = state["momentum_buffer"] = np.array(grad, dtype=param.dtype)
            else:
                buffer *= momentum
                if group["dampening"]:
                    buffer += np.multiply(grad, 1.0 - group["dampening"], out=work)
                else:
                    buffer += grad
            if group["nesterov"]:
                direction = np.multiply(buffer, momentum, out=work)
                direction += grad
            else:
                direction = buffer
        param -= np.multiply(direction, group["lr"], out=work)
