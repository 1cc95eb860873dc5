"""Losses under a short import path: ``from minitorch.loss import cross_entropy_loss``.

The same objects as in :mod:`minitorch.nn.losses`, re-exported."""

# ruff: noqa: F401

from minitorch.nn.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    MSELoss,
    NLLLoss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    cross_entropy_loss,
    mse_loss,
    nll_loss,
)
