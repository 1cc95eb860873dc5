"""Train a character-level language model on a list of names, then sample new names.

    .venv/bin/python examples/char_lm.py --model mlp          # Bengio et al. 2003 (makemore 2)
    .venv/bin/python examples/char_lm.py --model transformer  # a small GPT, as in makemore
    .venv/bin/python examples/char_lm.py --data words.txt --steps 2000 --save lm.npz --plot a.png

Each model reads the characters so far and predicts the next one; '.' marks where a name
starts and ends. ``--model mlp`` embeds the last 3 characters in 10 dimensions each, then a
tanh layer of 200 units gives the logits of the next character, trained by SGD on random
windows (100,000 steps; learning rate 0.1, then 0.01 for the second half). ``--model
transformer`` reads a whole name at once: 4 blocks of causal self-attention (4 heads) and an
MLP over 64-dimensional embeddings, up to 16 positions, predicting every next character in
parallel (5,000 steps of AdamW, learning rate 5e-4). The names (the list bundled with
minitorch by default, or ``--data``) are split 80/10/10 into train, dev and test; losses are
the mean cross-entropy per character, in nats.

Prints a line every ``--eval-every`` steps (running train loss, dev loss, seconds per 1,000
steps), the final train/dev/test losses and ``--samples`` new names. ``--save`` writes the
model's state dict and the vocabulary with ``minitorch.save``; ``--plot`` draws the loss
curves if matplotlib is installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import minitorch
from minitorch import nn, optim
from minitorch.nn import functional as F
from minitorch.text import load_words

NO_MATPLOTLIB = (
    "matplotlib is not installed, so no plot will be drawn "
    "(install it with: .venv/bin/pip install -e '.[plot]')"
)
BOUNDARY = "."  # starts and ends every name
PADDING = -1  # target of the positions after a name's end: left out of the loss


# ----- data -----------------------------------------------------------------------------------


class Vocabulary:
    """The characters of the words, numbered from 1 in sorted order; 0 is the boundary '.'."""

    def __init__(self, words: Sequence[str]) -> None:
        chars = sorted(set("".join(words)))
        if BOUNDARY in chars:
            word = next(w for w in words if BOUNDARY in w)
            raise ValueError(f"the word {word!r} contains {BOUNDARY!r}, which marks the start "
                             "and end of words here")
        self.chars = [BOUNDARY, *chars]
        self.index = {char: i for i, char in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, word: str) -> list[int]:
        return [self.index[char] for char in word]

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.chars[i] for i in ids)


def split_words(words: list[str], seed: int) -> dict[str, list[str]]:
    """80% train, 10% dev, 10% test, after a shuffle that depends only on ``seed``."""
    order = np.random.default_rng(seed).permutation(len(words))
    shuffled = [words[i] for i in order]
    n_train, n_dev = int(0.8 * len(words)), int(0.9 * len(words))
    return {"train": shuffled[:n_train], "dev": shuffled[n_train:n_dev],
            "test": shuffled[n_dev:]}


def context_windows(words: Sequence[str], vocab: Vocabulary,
                    block_size: int) -> tuple[np.ndarray, np.ndarray]:
    """For every character of every word and its final '.', the ``block_size`` ids before it
    (padded with '.' at the start) and its own id: the MLP's inputs (N, block_size) and
    targets (N,)."""
    inputs, targets = [], []
    for word in words:
        context = [0] * block_size
        for target in [*vocab.encode(word), 0]:
            inputs.append(context)
            targets.append(target)
            context = context[1:] + [target]
    return np.array(inputs, dtype=np.int64), np.array(targets, dtype=np.int64)


def padded_sequences(words: Sequence[str], vocab: Vocabulary,
                     block_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Each word as one row: inputs '.' + word and targets word + '.', then padding (inputs
    '.', targets -1), so that position t predicts character t + 1 from characters 0..t. The
    Transformer's inputs and targets, both (N, block_size)."""
    inputs = np.zeros((len(words), block_size), dtype=np.int64)
    targets = np.full((len(words), block_size), PADDING, dtype=np.int64)
    for row, word in enumerate(words):
        if len(word) >= block_size:
            raise ValueError(
                f"the word {word!r} has {len(word)} characters, but a block size of "
                f"{block_size} fits words of up to {block_size - 1}: pass --block-size "
                f"{len(word) + 1} or more"
            )
        ids = vocab.encode(word)
        inputs[row, 1:len(ids) + 1] = ids
        targets[row, :len(ids) + 1] = [*ids, 0]
    return inputs, targets


# ----- models ---------------------------------------------------------------------------------


class MLP(nn.Module):
    """Embed the last ``block_size`` characters, concatenate, one tanh hidden layer, logits.

    Initialised as in makemore part 3, so the first loss is near log(vocabulary size) and the
    tanh units start unsaturated: Kaiming-normal hidden weights with the tanh gain, a
    near-zero output layer, zero biases.
    """

    def __init__(self, vocab_size: int, block_size: int = 3, embedding_dim: int = 10,
                 hidden: int = 200) -> None:
        super().__init__()
        self.block_size = block_size
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.hidden = nn.Linear(block_size * embedding_dim, hidden)
        self.output = nn.Linear(hidden, vocab_size)
        nn.init.kaiming_normal_(self.hidden.weight, nonlinearity="tanh")
        nn.init.normal_(self.output.weight, std=0.01)
        for layer in (self.hidden, self.output):
            nn.init.zeros_(layer.bias)

    def forward(self, idx: minitorch.Tensor) -> minitorch.Tensor:
        """Logits (B, vocab_size) of the character after each window idx (B, block_size)."""
        if idx.ndim != 2 or idx.shape[1] != self.block_size:
            raise ValueError(f"the MLP reads windows of exactly {self.block_size} characters "
                             f"(B, {self.block_size}), got shape {tuple(idx.shape)}")
        x = self.embedding(idx).flatten(1)
        return self.output(self.hidden(x).tanh())

    def next_logits(self, idx: minitorch.Tensor) -> minitorch.Tensor:
        """Logits of the character after each row of idx (B, T), any T >= 1."""
        missing = self.block_size - idx.shape[1]
        if missing > 0:  # left-pad with '.', as the training windows are
            idx = minitorch.cat([minitorch.zeros(idx.shape[0], missing, dtype=idx.dtype), idx], 1)
        return self(idx[:, -self.block_size:])


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention in which position t sees positions 0..t only."""

    def __init__(self, embed_dim: int, num_heads: int) -> None:
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"embedding size {embed_dim} is not divisible by {num_heads} heads")
        self.num_heads = num_heads
        self.qkv = nn.Linear(embed_dim, 3 * embed_dim)  # queries, keys, values of all heads
        self.proj = nn.Linear(embed_dim, embed_dim)

    def forward(self, x: minitorch.Tensor) -> minitorch.Tensor:
        B, T, C = x.shape
        H = self.num_heads
        q, k, v = self.qkv(x).split(C, dim=2)  # one matrix product for all of them
        # (B, T, C) -> (B, H, T, C // H): each head attends on its own slice of the features
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))  # heads side by side again


class Block(nn.Module):
    """A Transformer block: x + attention(LayerNorm(x)), then x + MLP(LayerNorm(x))."""

    def __init__(self, embed_dim: int, num_heads: int) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(embed_dim)
        self.attn = CausalSelfAttention(embed_dim, num_heads)
        self.ln_2 = nn.LayerNorm(embed_dim)
        self.mlp = nn.Sequential(nn.Linear(embed_dim, 4 * embed_dim), nn.GELU(approximate="tanh"),
                                 nn.Linear(4 * embed_dim, embed_dim))

    def forward(self, x: minitorch.Tensor) -> minitorch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    """A GPT: token and position embeddings, ``num_layers`` blocks, a final LayerNorm and a
    linear map to the logits of the next character at every position. Weights start as in
    GPT-2: N(0, 0.02) for linear and embedding weights, zero biases."""

    def __init__(self, vocab_size: int, block_size: int = 16, embed_dim: int = 64,
                 num_layers: int = 4, num_heads: int = 4) -> None:
        super().__init__()
        self.block_size = block_size
        self.token_embedding = nn.Embedding(vocab_size, embed_dim)
        self.position_embedding = nn.Embedding(block_size, embed_dim)
        self.blocks = nn.Sequential(*[Block(embed_dim, num_heads) for _ in range(num_layers)])
        self.ln_f = nn.LayerNorm(embed_dim)
        self.head = nn.Linear(embed_dim, vocab_size, bias=False)
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)

    def forward(self, idx: minitorch.Tensor) -> minitorch.Tensor:
        """Logits (B, T, vocab_size): at position t, of the character after idx[:, :t + 1]."""
        T = idx.shape[1]
        if T > self.block_size:
            raise ValueError(f"a context of {T} characters is longer than the model's block "
                             f"size of {self.block_size}")
        x = self.token_embedding(idx) + self.position_embedding(minitorch.arange(T))
        return self.head(self.ln_f(self.blocks(x)))

    def next_logits(self, idx: minitorch.Tensor) -> minitorch.Tensor:
        """Logits of the character after each row of idx (B, T), the last block_size seen."""
        return self(idx[:, -self.block_size:])[:, -1, :]


def build_model(name: str, vocab_size: int, args: argparse.Namespace) -> nn.Module:
    if name == "mlp":
        return MLP(vocab_size, args.block_size, args.embedding_dim, args.hidden)
    if name == "transformer":
        return Transformer(vocab_size, args.block_size, args.embedding_dim, args.layers,
                           args.heads)
    raise ValueError(f"model must be 'mlp' or 'transformer', got {name!r}")


# ----- training -------------------------------------------------------------------------------


def next_char_loss(logits: minitorch.Tensor, targets: minitorch.Tensor,
                   reduction: str = "mean") -> minitorch.Tensor:
    """Cross-entropy of logits (..., V) against target ids (...); targets equal to PADDING
    are left out (the mean is over the others)."""
    logits = logits.reshape(-1, logits.shape[-1])
    targets = targets.reshape(-1)
    counted = targets != PADDING
    losses = F.cross_entropy(logits, minitorch.where(counted, targets, 0), reduction="none")
    total = (losses * counted.float()).sum()
    return total / counted.sum().item() if reduction == "mean" else total


@minitorch.no_grad()
def evaluate(model: nn.Module, inputs: minitorch.Tensor, targets: minitorch.Tensor,
             batch_size: int = 1024) -> float:
    """The mean loss per character over a whole split."""
    total, count = 0.0, (targets != PADDING).sum().item()
    for start in range(0, len(inputs), batch_size):
        logits = model(inputs[start:start + batch_size])
        total += next_char_loss(logits, targets[start:start + batch_size], "sum").item()
    return total / count


def make_optimizer(model: nn.Module, args: argparse.Namespace) -> optim.Optimizer:
    if args.model == "mlp":
        return optim.SGD(model.parameters(), lr=args.lr)
    return optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.99), eps=1e-8,
                       weight_decay=0.01)


def train(model: nn.Module, data: dict[str, tuple[minitorch.Tensor, minitorch.Tensor]],
          args: argparse.Namespace) -> dict[str, list[float]]:
    """``args.steps`` steps on random batches of the training rows; returns the history of
    running train losses and dev losses, one entry per ``args.eval_every`` steps."""
    optimizer = make_optimizer(model, args)
    schedule = None
    if args.model == "mlp":  # the learning rate drops tenfold halfway, as in makemore part 2
        schedule = optim.lr_scheduler.StepLR(optimizer, step_size=max(args.steps // 2, 1))
    inputs, targets = data["train"]
    generator = minitorch.Generator().manual_seed(args.seed)
    history: dict[str, list[float]] = {"step": [], "train": [], "dev": []}
    running, started = [], time.perf_counter()
    for step in range(1, args.steps + 1):
        rows = minitorch.randint(0, len(inputs), (args.batch_size,), generator=generator)
        loss = next_char_loss(model(inputs[rows]), targets[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if schedule is not None:
            schedule.step()
        running.append(loss.item())
        if step % args.eval_every == 0 or step == args.steps:
            seconds = time.perf_counter() - started
            dev = evaluate(model, *data["dev"])
            history["step"].append(step)
            history["train"].append(float(np.mean(running)))
            history["dev"].append(dev)
            print(f"step {step:6d}/{args.steps} | train {history['train'][-1]:.4f} | "
                  f"dev {dev:.4f} | {1000 * seconds / len(running):.3g} s per 1,000 steps")
            running, started = [], time.perf_counter()
    return history


# ----- sampling -------------------------------------------------------------------------------


@minitorch.no_grad()
def sample(model: nn.Module, vocab: Vocabulary, count: int, max_length: int,
           temperature: float = 1.0, top_k: int | None = None, seed: int = 0) -> list[str]:
    """``count`` new words: start from '.', draw each next character from the model's
    softmax(logits / temperature), among the ``top_k`` likeliest only if given, until '.'
    comes, or ``max_length`` characters."""
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    generator = minitorch.Generator().manual_seed(seed)
    idx = minitorch.zeros(count, 1, dtype=minitorch.long)
    for _ in range(max_length):
        logits = model.next_logits(idx) / temperature
        if top_k is not None:
            kth_largest = logits.topk(min(top_k, logits.shape[-1])).values[:, [-1]]
            logits = logits.masked_fill(logits < kth_largest, float("-inf"))
        probs = F.softmax(logits, dim=-1)
        idx = minitorch.cat([idx, probs.multinomial(1, generator=generator)], dim=1)
    words = [row[:row.index(0)] if 0 in row else row for row in idx[:, 1:].tolist()]
    return [vocab.decode(word) for word in words]  # each up to its final '.'


# ----- command line ---------------------------------------------------------------------------

DEFAULTS = {
    "mlp": {"steps": 100_000, "batch_size": 32, "lr": 0.1, "block_size": 3, "embedding_dim": 10,
            "eval_every": 10_000},
    "transformer": {"steps": 5_000, "batch_size": 32, "lr": 5e-4, "block_size": 16,
                    "embedding_dim": 64, "eval_every": 500},
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=sorted(DEFAULTS), default="mlp")
    parser.add_argument("--data", type=Path, help="words, one per line (default: the bundled "
                        "names list)")
    parser.add_argument("--steps", type=int, help="training steps (mlp 100000, transformer 5000)")
    parser.add_argument("--batch-size", type=int, help="words or windows per step (32)")
    parser.add_argument("--lr", type=float, help="learning rate (mlp 0.1, transformer 5e-4)")
    parser.add_argument("--block-size", type=int, help="context length (mlp 3, transformer 16)")
    parser.add_argument("--embedding-dim", type=int, help="embedding size (mlp 10, "
                        "transformer 64)")
    parser.add_argument("--hidden", type=int, default=200, help="mlp hidden units (200)")
    parser.add_argument("--layers", type=int, default=4, help="transformer blocks (4)")
    parser.add_argument("--heads", type=int, default=4, help="attention heads (4)")
    parser.add_argument("--eval-every", type=int, help="steps between progress lines")
    parser.add_argument("--samples", type=int, default=20, help="names to sample at the end")
    parser.add_argument("--temperature", type=float, default=1.0, help="of the sampling (1)")
    parser.add_argument("--top-k", type=int, help="sample among the k likeliest characters")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=1, help="threads for the matrix "
                        "products (1: steady on a busy machine)")
    parser.add_argument("--save", type=Path, help="write the model and vocabulary here")
    parser.add_argument("--plot", type=Path, help="draw the loss curves into this image")
    args = parser.parse_args(argv)
    for name, value in DEFAULTS[args.model].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    for name in ("steps", "batch_size", "block_size", "embedding_dim", "eval_every", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.plot and importlib.util.find_spec("matplotlib") is None:  # say so before training
        print(NO_MATPLOTLIB, flush=True)
    return args


def plot_history(history: dict[str, list[float]], path: Path) -> None:
    if importlib.util.find_spec("matplotlib") is None:
        return  # parse_args has said so
    import matplotlib

    matplotlib.use("Agg")  # draw to a file, with or without a display
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(history["step"], history["train"], label="train (running mean)")
    ax.plot(history["step"], history["dev"], label="dev")
    ax.set_xlabel("step")
    ax.set_ylabel("loss per character (nats)")
    ax.legend()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    print(f"loss curves drawn in {path}")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    minitorch.manual_seed(args.seed)
    minitorch.set_num_threads(args.threads)
    words = load_words(args.data)
    vocab = Vocabulary(words)
    splits = split_words(words, args.seed)
    make_rows = context_windows if args.model == "mlp" else padded_sequences
    data = {name: tuple(map(minitorch.tensor, make_rows(split, vocab, args.block_size)))
            for name, split in splits.items()}
    print(f"{len(words)} words, {len(vocab)} characters with '.', "
          + ", ".join(f"{len(split)} {name}" for name, split in splits.items()))
    model = build_model(args.model, len(vocab), args)
    print(f"{args.model}: {sum(p.numel() for p in model.parameters())} parameters")
    started = time.perf_counter()
    history = train(model, data, args)
    seconds = time.perf_counter() - started
    losses = {name: evaluate(model, *rows) for name, rows in data.items()}
    print(f"trained {args.steps} steps in {seconds:.1f} s; final loss: "
          + ", ".join(f"{name} {loss:.4f}" for name, loss in losses.items()))
    longest = max(len(word) for word in words)
    names = sample(model, vocab, args.samples, longest + 1, args.temperature, args.top_k,
                   args.seed)
    print("samples:", " ".join(names))
    if args.save:
        minitorch.save({"model": model.state_dict(), "chars": vocab.chars, "args": {
            k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}}, args.save)
        print(f"model saved to {args.save}")
    if args.plot:
        plot_history(history, args.plot)
    return {"losses": losses, "history": history, "samples": names, "seconds": seconds,
            "model": model}


if __name__ == "__main__":
    main()
