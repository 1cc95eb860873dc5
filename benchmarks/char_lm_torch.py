"""The twin of examples/char_lm.py in PyTorch: the same data, split, models, initial
weights, optimizers, batches and steps, so that losses and times can be set side by side.

    python benchmarks/char_lm_torch.py --model mlp
    python benchmarks/char_lm_torch.py --model transformer --steps 5000

It takes the example's arguments and uses its data functions, so both see exactly the same
rows in the same order. The model starts from the very weights the example starts from (built
by minitorch with the same seed, then copied), so the two runs differ only in floating-point
rounding. Only the model, the loss and the training step are PyTorch's. It runs on one
thread, as minitorch's NumPy does with OPENBLAS_NUM_THREADS=1. Needs torch, which minitorch
never depends on.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

import minitorch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import char_lm  # noqa: E402  (the example: arguments, data and evaluation protocol)

# The models, layer for layer as in the example; their weights are copied from it.


class MLP(nn.Module):
    def __init__(self, vocab_size: int, block_size: int, embedding_dim: int, hidden: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.hidden = nn.Linear(block_size * embedding_dim, hidden)
        self.output = nn.Linear(hidden, vocab_size)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        return self.output(torch.tanh(self.hidden(self.embedding(idx).flatten(1))))


class CausalSelfAttention(nn.Module):
    def __init__(self, embed_dim: int, num_heads: int):
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(embed_dim, 3 * embed_dim)
        self.proj = nn.Linear(embed_dim, embed_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        qkv = self.qkv(x).reshape(B, T, 3, self.num_heads, C // self.num_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, embed_dim: int, num_heads: int):
        super().__init__()
        self.ln_1 = nn.LayerNorm(embed_dim)
        self.attn = CausalSelfAttention(embed_dim, num_heads)
        self.ln_2 = nn.LayerNorm(embed_dim)
        self.mlp = nn.Sequential(nn.Linear(embed_dim, 4 * embed_dim), nn.GELU(approximate="tanh"),
                                 nn.Linear(4 * embed_dim, embed_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, vocab_size: int, block_size: int, embed_dim: int, num_layers: int,
                 num_heads: int):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size, embed_dim)
        self.position_embedding = nn.Embedding(block_size, embed_dim)
        self.blocks = nn.Sequential(*[Block(embed_dim, num_heads) for _ in range(num_layers)])
        self.ln_f = nn.LayerNorm(embed_dim)
        self.head = nn.Linear(embed_dim, vocab_size, bias=False)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        x = self.token_embedding(idx) + self.position_embedding(torch.arange(idx.shape[1]))
        return self.head(self.ln_f(self.blocks(x)))


def copy_initial_weights(model: nn.Module, args, vocab_size: int) -> None:
    """Give ``model`` the weights the example's model starts with (same seed, same build)."""
    minitorch.manual_seed(args.seed)
    ours = char_lm.build_model(args.model, vocab_size, args)
    # Both state dicts have the same names, shapes and layouts.
    model.load_state_dict({name: torch.from_numpy(np.array(array))
                           for name, array in ours.state_dict().items()})


def next_char_loss(logits: torch.Tensor, targets: torch.Tensor,
                   reduction: str = "mean") -> torch.Tensor:
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                           ignore_index=char_lm.PADDING, reduction=reduction)


@torch.no_grad()
def evaluate(model: nn.Module, inputs: np.ndarray, targets: np.ndarray,
             batch_size: int = 1024) -> float:
    total, count = 0.0, int((targets != char_lm.PADDING).sum())
    for start in range(0, len(inputs), batch_size):
        logits = model(torch.from_numpy(inputs[start:start + batch_size]))
        total += next_char_loss(logits, torch.from_numpy(targets[start:start + batch_size]),
                                "sum").item()
    return total / count


def main(argv: Sequence[str] | None = None) -> dict:
    args = char_lm.parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    words = char_lm.load_words(args.data)
    vocab = char_lm.Vocabulary(words)
    splits = char_lm.split_words(words, args.seed)
    make_rows = char_lm.context_windows if args.model == "mlp" else char_lm.padded_sequences
    data = {name: make_rows(split, vocab, args.block_size) for name, split in splits.items()}
    if args.model == "mlp":
        model = MLP(len(vocab), args.block_size, args.embedding_dim, args.hidden)
        optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
        schedule = torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(args.steps // 2, 1))
    else:
        model = Transformer(len(vocab), args.block_size, args.embedding_dim, args.layers,
                            args.heads)
        optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.99),
                                      eps=1e-8, weight_decay=0.01)
        schedule = None
    copy_initial_weights(model, args, len(vocab))
    print(f"torch {torch.__version__}, {args.model}: "
          f"{sum(p.numel() for p in model.parameters())} parameters")
    inputs, targets = data["train"]
    generator = minitorch.Generator().manual_seed(args.seed)  # the example's batches, row for row
    running, started, total_started = [], time.perf_counter(), time.perf_counter()
    for step in range(1, args.steps + 1):
        rows = minitorch.randint(0, len(inputs), (args.batch_size,), generator=generator).numpy()
        loss = next_char_loss(model(torch.from_numpy(inputs[rows])),
                              torch.from_numpy(targets[rows]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if schedule is not None:
            schedule.step()
        running.append(loss.item())
        if step % args.eval_every == 0 or step == args.steps:
            seconds = time.perf_counter() - started
            dev = evaluate(model, *data["dev"])
            print(f"step {step:6d}/{args.steps} | train {np.mean(running):.4f} | dev {dev:.4f} "
                  f"| {1000 * seconds / len(running):.3g} s per 1,000 steps")
            running, started = [], time.perf_counter()
    seconds = time.perf_counter() - total_started
    losses = {name: evaluate(model, *rows) for name, rows in data.items()}
    print(f"trained {args.steps} steps in {seconds:.1f} s; final loss: "
          + ", ".join(f"{name} {loss:.4f}" for name, loss in losses.items()))
    return {"losses": losses, "seconds": seconds}


if __name__ == "__main__":
    main()
