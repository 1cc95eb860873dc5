"""The programs of makemore parts 3, 4 and 5 (Karpathy's "Neural Networks: Zero to Hero"),
written for PyTorch and run here with only the two import lines changed.

Part 3 trains an MLP on names with a batch norm written out by hand, then a deeper network
of hand-written layer classes while watching its activations, gradients and update sizes.
Part 4 backpropagates through the whole network by hand and checks every gradient against
autograd. Part 5 trains a WaveNet-like tree of layers over 8 characters of context.

Runs are a few hundred steps instead of 200,000. The text of this module is also executed
with PyTorch's imports (see ``with_pytorch``), so both libraries run the very same lines.
"""

import functools
import math
import random
from pathlib import Path

import minitorch as torch
import minitorch.nn.functional as F

NAMES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "names" / "names.txt"
TORCH_IMPORTS = {
    "import minitorch as torch": "import torch",
    "import minitorch.nn.functional as F": "import torch.nn.functional as F",
}


def with_pytorch():
    """This module's programs, run by PyTorch: its text with the imports swapped."""
    source = Path(__file__).read_text()
    for ours, theirs in TORCH_IMPORTS.items():
        source = source.replace(ours, theirs)
    namespace = {"__file__": __file__, "__name__": "makemore_lectures_on_pytorch"}
    exec(compile(source, __file__, "exec"), namespace)
    return namespace


# ----- the data: every name, characters as integers, contexts and next characters ----------


def read_names():
    words = open(NAMES).read().splitlines()
    letters = sorted(set("".join(words)))
    stoi = {ch: i + 1 for i, ch in enumerate(letters)}
    stoi["."] = 0
    itos = {i: ch for ch, i in stoi.items()}
    random.Random(42).shuffle(words)
    return words, stoi, itos


def contexts(words, stoi, block_size):
    """X: the block_size characters before each character, Y: that character."""
    xs, ys = [], []
    for word in words:
        window = [0] * block_size
        for ch in word + ".":
            xs.append(window)
            ys.append(stoi[ch])
            window = window[1:] + [stoi[ch]]
    return torch.tensor(xs), torch.tensor(ys)


@functools.cache
def splits(block_size):
    """80% / 10% / 10% of the names for training, validation and test (made once; the
    programs only read them)."""
    words, stoi, itos = read_names()
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
    data = {
        "train": contexts(words[:n1], stoi, block_size),
        "val": contexts(words[n1:n2], stoi, block_size),
        "test": contexts(words[n2:], stoi, block_size),
    }
    return data, itos


# ----- part 3: batch norm by hand, then a deep network of hand-written layers ---------------


def batchnorm_mlp(steps=1000, seed=2147483647):
    """One hidden layer whose pre-activations are normalised over the batch by hand; the
    running statistics are kept up to date under no_grad and compared at the end with the
    statistics of the whole training set."""
    data, itos = splits(block_size=3)
    Xtr, Ytr = data["train"]
    vocab_size, n_embd, n_hidden, block_size = len(itos), 10, 200, 3
    fan_in = n_embd * block_size

    g = torch.Generator().manual_seed(seed)
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = torch.randn((fan_in, n_hidden), generator=g) * (5/3) / fan_in**0.5
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.01
    b2 = torch.randn(vocab_size, generator=g) * 0
    bngain = torch.ones((1, n_hidden))
    bnbias = torch.zeros((1, n_hidden))
    bnmean_running = torch.zeros((1, n_hidden))
    bnstd_running = torch.ones((1, n_hidden))
    parameters = [C, W1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True

    losses = []
    for i in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        Xb, Yb = Xtr[ix], Ytr[ix]
        emb = C[Xb]
        hpreact = emb.view(emb.shape[0], -1) @ W1
        batch_mean = hpreact.mean(0, keepdim=True)
        batch_std = hpreact.std(0, keepdim=True)
        hpreact = bngain * (hpreact - batch_mean) / batch_std + bnbias
        with torch.no_grad():
            bnmean_running = 0.99 * bnmean_running + 0.01 * batch_mean
            bnstd_running = 0.99 * bnstd_running + 0.01 * batch_std
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < steps * 3 // 4 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        losses.append(loss.log10().item())

    # the statistics of the whole training set, to compare the running ones with
    with torch.no_grad():
        hpreact = C[Xtr].view(Xtr.shape[0], -1) @ W1
        bnmean = hpreact.mean(0, keepdim=True)
        bnstd = hpreact.std(0, keepdim=True)

    @torch.no_grad()
    def split_loss(split):
        x, y = data[split]
        emb = C[x]
        hpreact = emb.view(emb.shape[0], -1) @ W1
        hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
        logits = torch.tanh(hpreact) @ W2 + b2
        return F.cross_entropy(logits, y).item()

    return {
        "first_loss": 10 ** losses[0],
        "last_loss": 10 ** (sum(losses[-100:]) / 100),
        "train": split_loss("train"),
        "val": split_loss("val"),
        "running_mean_error": (bnmean_running - bnmean).abs().max().item(),
        "running_std_error": ((bnstd_running - bnstd).abs() / bnstd).max().item(),
    }


class Linear:
    """x @ weight + bias, weights scaled by 1/sqrt(fan_in) (Kaiming, before the gain)."""

    def __init__(self, fan_in, fan_out, generator, bias=True):
        self.weight = torch.randn((fan_in, fan_out), generator=generator) / fan_in**0.5
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out += self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:
    """Normalise over the batch (and, for (B, T, C) inputs, over T too) while training,
    with running statistics for evaluation."""

    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps, self.momentum, self.training = eps, momentum, True
        self.gamma, self.beta = torch.ones(dim), torch.zeros(dim)
        self.running_mean, self.running_var = torch.zeros(dim), torch.ones(dim)

    def __call__(self, x):
        if self.training:
            dims = 0 if x.ndim == 2 else (0, 1)
            xmean = x.mean(dims, keepdim=True)
            xvar = x.var(dims, keepdim=True)
        else:
            xmean, xvar = self.running_mean, self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []


def deep_network(steps=300, n_hidden=100, seed=2147483647):
    """Six Linear-BatchNorm(-Tanh) blocks trained while recording, as the lecture draws
    them, the spread of activations and gradients and the size of each update."""
    data, itos = splits(block_size=3)
    Xtr, Ytr = data["train"]
    vocab_size, n_embd, block_size = len(itos), 10, 3

    g = torch.Generator().manual_seed(seed)
    C = torch.randn((vocab_size, n_embd), generator=g)
    layers = [Linear(n_embd * block_size, n_hidden, g, bias=False), BatchNorm1d(n_hidden), Tanh()]
    for _ in range(4):
        layers += [Linear(n_hidden, n_hidden, g, bias=False), BatchNorm1d(n_hidden), Tanh()]
    layers += [Linear(n_hidden, vocab_size, g, bias=False), BatchNorm1d(vocab_size)]
    with torch.no_grad():
        layers[-1].gamma *= 0.1  # a less confident output layer at the start
        for layer in layers[:-1]:
            if isinstance(layer, Linear):
                layer.weight *= 5/3  # the gain of tanh
    parameters = [C] + [p for layer in layers for p in layer.parameters()]
    for p in parameters:
        p.requires_grad = True

    losses, update_ratios = [], []
    for _ in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        Xb, Yb = Xtr[ix], Ytr[ix]
        x = C[Xb].view(Xb.shape[0], -1)
        for layer in layers:
            x = layer(x)
        loss = F.cross_entropy(x, Yb)
        for layer in layers:
            layer.out.retain_grad()
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1
        for p in parameters:
            p.data += -lr * p.grad
        losses.append(loss.log10().item())
        with torch.no_grad():
            update_ratios.append([((lr * p.grad).std() / p.data.std()).log10().item()
                                  for p in parameters])

    # the diagnostics of the last step
    activations, gradients = [], []
    for i, layer in enumerate(layers[:-1]):
        if isinstance(layer, Tanh):
            t = layer.out
            saturated = (t.abs() > 0.97).float().mean() * 100
            summary = 'layer %d (%s): mean %+.2f, std %.2f, saturated: %.2f%%' % (
                i, layer.__class__.__name__, t.mean(), t.std(), saturated)
            hy, hx = torch.histogram(t, density=True)
            activations.append((summary, t.std().item(), saturated.item(),
                                (hy * (hx[1:] - hx[:-1])).sum().item(), hx[:-1].detach().shape))
            grad = layer.out.grad
            gradients.append((grad.std().item(), torch.histogram(grad, density=True).hist.shape))
    weight_lines = []
    for p in parameters:
        if p.ndim == 2:
            weight_lines.append('weight %10s | mean %+f | std %e | grad:data ratio %e' % (
                tuple(p.shape), p.grad.mean(), p.grad.std(), p.grad.std() / p.std()))

    for layer in layers:
        layer.training = False

    @torch.no_grad()
    def split_loss(split):
        x, y = data[split]
        x = C[x].view(x.shape[0], -1)
        for layer in layers:
            x = layer(x)
        return F.cross_entropy(x, y).item()

    g = torch.Generator().manual_seed(seed + 10)
    names = []
    for _ in range(10):
        out, context = [], [0] * block_size
        while True:
            x = C[torch.tensor([context])]
            x = x.view(x.shape[0], -1)
            for layer in layers:
                x = layer(x)
            probs = F.softmax(x, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            out.append(ix)
            if ix == 0:
                break
        names.append("".join(itos[i] for i in out))

    return {
        "first_loss": 10 ** losses[0],
        "last_loss": 10 ** (sum(losses[-100:]) / 100),
        "train": split_loss("train"),
        "val": split_loss("val"),
        "activations": activations,
        "gradients": gradients,
        "weight_lines": weight_lines,
        "last_update_ratios": update_ratios[-1],
        "names": names,
    }


def linear_statistics(seed=2147483647, n=1000):
    """The spread of a linear layer's output and gradients, leaves and computed tensors
    alike asked to retain their gradients."""
    g = torch.Generator().manual_seed(seed)
    a = torch.randn((n, 1), requires_grad=True, generator=g)
    b = torch.randn((n, n), requires_grad=True, generator=g)
    c = b @ a
    loss = torch.randn(n, generator=g) @ c
    for t in (a, b, c):
        t.retain_grad()
    loss.backward()
    return {name: (t.std().item(), t.grad.std().item()) for name, t in
            (("a", a), ("b", b), ("c", c))}


# ----- part 4: backpropagation by hand ------------------------------------------------------


def compare(name, dt, t):
    """The lecture's check of a gradient computed by hand against autograd's."""
    exact = torch.all(dt == t.grad).item()
    close = torch.allclose(dt, t.grad)
    maxdiff = (dt - t.grad).abs().max().item()
    return name, exact, close, maxdiff


def manual_backprop(seed=2147483647):
    """One forward pass broken into small steps, autograd's gradient of each, and the same
    gradients derived by hand, step by step and then with the fused formulas of
    cross-entropy and batch norm."""
    data, itos = splits(block_size=3)
    Xtr, Ytr = data["train"]
    vocab_size, n_embd, n_hidden, block_size = len(itos), 10, 64, 3

    g = torch.Generator().manual_seed(seed)
    C = torch.randn((vocab_size, n_embd), generator=g)
    fan_in = n_embd * block_size
    W1 = torch.randn((fan_in, n_hidden), generator=g) * (5/3) / fan_in**0.5
    b1 = torch.randn(n_hidden, generator=g) * 0.1
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.1
    b2 = torch.randn(vocab_size, generator=g) * 0.1
    # not zeros or ones, which could hide a wrong backward pass
    bngain = torch.randn((1, n_hidden)) * 0.1 + 1.0
    bnbias = torch.randn((1, n_hidden)) * 0.1
    parameters = [C, W1, b1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True

    n = 32
    ix = torch.randint(0, Xtr.shape[0], (n,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]

    emb = C[Xb]
    embcat = emb.view(emb.shape[0], -1)
    hprebn = embcat @ W1 + b1
    bnmeani = 1/n * hprebn.sum(0, keepdim=True)
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = 1/(n-1) * (bndiff2).sum(0, keepdim=True)
    bnvar_inv = (bnvar + 1e-5)**-0.5
    bnraw = bndiff * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    h = torch.tanh(hpreact)
    logits = h @ W2 + b2
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdims=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[range(n), Yb].mean()

    for p in parameters:
        p.grad = None
    steps = [logprobs, probs, counts, counts_sum, counts_sum_inv, norm_logits, logit_maxes,
             logits, h, hpreact, bnraw, bnvar_inv, bnvar, bndiff2, bndiff, hprebn, bnmeani,
             embcat, emb]
    for t in steps:
        t.retain_grad()
    loss.backward()

    # exercise 1: every step by hand, from the loss back to the embedding table
    dlogprobs = torch.zeros_like(logprobs)
    dlogprobs[range(n), Yb] = -1.0/n
    dprobs = (1.0 / probs) * dlogprobs
    dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
    dcounts = counts_sum_inv * dprobs
    dcounts_sum = (-counts_sum**-2) * dcounts_sum_inv
    dcounts += torch.ones_like(counts) * dcounts_sum
    dnorm_logits = counts * dcounts
    dlogits = dnorm_logits.clone()
    dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
    dlogits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes
    dh = dlogits @ W2.T
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(0)
    dhpreact = (1.0 - h**2) * dh
    dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
    dbnraw = bngain * dhpreact
    dbnbias = dhpreact.sum(0, keepdim=True)
    dbndiff = bnvar_inv * dbnraw
    dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
    dbnvar = (-0.5 * (bnvar + 1e-5)**-1.5) * dbnvar_inv
    dbndiff2 = (1.0/(n-1)) * torch.ones_like(bndiff2) * dbnvar
    dbndiff += (2*bndiff) * dbndiff2
    dhprebn = dbndiff.clone()
    dbnmeani = (-dbndiff).sum(0)
    dhprebn += 1.0/n * (torch.ones_like(hprebn) * dbnmeani)
    dembcat = dhprebn @ W1.T
    dW1 = embcat.T @ dhprebn
    db1 = dhprebn.sum(0)
    demb = dembcat.view(emb.shape)
    dC = torch.zeros_like(C)
    for k in range(Xb.shape[0]):
        for j in range(Xb.shape[1]):
            ix = Xb[k, j]
            dC[ix] += demb[k, j]

    by_hand = [
        ('logprobs', dlogprobs, logprobs), ('probs', dprobs, probs),
        ('counts_sum_inv', dcounts_sum_inv, counts_sum_inv),
        ('counts_sum', dcounts_sum, counts_sum), ('counts', dcounts, counts),
        ('norm_logits', dnorm_logits, norm_logits), ('logit_maxes', dlogit_maxes, logit_maxes),
        ('logits', dlogits, logits), ('h', dh, h), ('W2', dW2, W2), ('b2', db2, b2),
        ('hpreact', dhpreact, hpreact), ('bngain', dbngain, bngain),
        ('bnbias', dbnbias, bnbias), ('bnraw', dbnraw, bnraw),
        ('bnvar_inv', dbnvar_inv, bnvar_inv), ('bnvar', dbnvar, bnvar),
        ('bndiff2', dbndiff2, bndiff2), ('bndiff', dbndiff, bndiff),
        ('bnmeani', dbnmeani, bnmeani), ('hprebn', dhprebn, hprebn),
        ('embcat', dembcat, embcat), ('W1', dW1, W1), ('b1', db1, b1),
        ('emb', demb, emb), ('C', dC, C),
    ]
    step_by_step = [compare(*row) for row in by_hand]
    all_float32 = all(dt.dtype == torch.float32 for _, dt, _ in by_hand)

    # exercise 2: cross-entropy in one go
    loss_fast = F.cross_entropy(logits, Yb)
    loss_diff = (loss_fast - loss).item()
    dlogits = F.softmax(logits, 1)
    dlogits[range(n), Yb] -= 1
    dlogits /= n
    fused = [compare('logits', dlogits, logits)]

    # exercise 3: batch norm in one go
    hpreact_fast = bngain * (hprebn - hprebn.mean(0, keepdim=True)) / torch.sqrt(
        hprebn.var(0, keepdim=True, unbiased=True) + 1e-5) + bnbias
    forward_diff = (hpreact_fast - hpreact).abs().max().item()
    dhprebn = bngain * bnvar_inv / n * (
        n * dhpreact - dhpreact.sum(0) - n/(n-1) * bnraw * (dhpreact * bnraw).sum(0))
    fused.append(compare('hprebn', dhprebn, hprebn))

    return {
        "loss": loss.item(),
        "step_by_step": step_by_step,
        "all_float32": all_float32,
        "fused": fused,
        "loss_diff": loss_diff,
        "forward_diff": forward_diff,
    }


def train_by_hand(steps=600, n_hidden=200, seed=2147483647):
    """Exercise 4: training with the hand-derived backward pass only, under no_grad; the
    first step's gradients are checked against autograd's."""
    data, itos = splits(block_size=3)
    Xtr, Ytr = data["train"]
    vocab_size, n_embd, block_size = len(itos), 10, 3

    g = torch.Generator().manual_seed(seed)
    C = torch.randn((vocab_size, n_embd), generator=g)
    fan_in = n_embd * block_size
    W1 = torch.randn((fan_in, n_hidden), generator=g) * (5/3) / fan_in**0.5
    b1 = torch.randn(n_hidden, generator=g) * 0.1
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.1
    b2 = torch.randn(vocab_size, generator=g) * 0.1
    bngain = torch.randn((1, n_hidden), generator=g) * 0.1 + 1.0
    bnbias = torch.randn((1, n_hidden), generator=g) * 0.1
    parameters = [C, W1, b1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True

    n = 32

    def forward(Xb, Yb):
        emb = C[Xb]
        embcat = emb.view(emb.shape[0], -1)
        hprebn = embcat @ W1 + b1
        bnmean = hprebn.mean(0, keepdim=True)
        bnvar = hprebn.var(0, keepdim=True, unbiased=True)
        bnvar_inv = (bnvar + 1e-5)**-0.5
        bnraw = (hprebn - bnmean) * bnvar_inv
        hpreact = bngain * bnraw + bnbias
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Yb)
        return loss, (emb, embcat, bnvar_inv, bnraw, h, logits)

    def backward(Xb, Yb, saved):
        emb, embcat, bnvar_inv, bnraw, h, logits = saved
        dlogits = F.softmax(logits, 1)
        dlogits[range(n), Yb] -= 1
        dlogits /= n
        dh = dlogits @ W2.T
        dW2 = h.T @ dlogits
        db2 = dlogits.sum(0)
        dhpreact = (1.0 - h**2) * dh
        dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
        dbnbias = dhpreact.sum(0, keepdim=True)
        dhprebn = bngain * bnvar_inv / n * (
            n * dhpreact - dhpreact.sum(0) - n/(n-1) * bnraw * (dhpreact * bnraw).sum(0))
        dembcat = dhprebn @ W1.T
        dW1 = embcat.T @ dhprebn
        db1 = dhprebn.sum(0)
        demb = dembcat.view(emb.shape)
        dC = torch.zeros_like(C)
        for k in range(Xb.shape[0]):
            for j in range(Xb.shape[1]):
                ix = Xb[k, j]
                dC[ix] += demb[k, j]
        return [dC, dW1, db1, dW2, db2, dbngain, dbnbias]

    # the first batch: the hand-derived gradients against autograd's
    ix = torch.randint(0, Xtr.shape[0], (n,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]
    loss, saved = forward(Xb, Yb)
    for p in parameters:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        grads = backward(Xb, Yb, saved)
    first_step = [compare(str(tuple(p.shape)), grad, p) for p, grad in zip(parameters, grads)]

    losses = []
    with torch.no_grad():
        for _ in range(steps):
            ix = torch.randint(0, Xtr.shape[0], (n,), generator=g)
            Xb, Yb = Xtr[ix], Ytr[ix]
            loss, saved = forward(Xb, Yb)
            grads = backward(Xb, Yb, saved)
            lr = 0.1
            for p, grad in zip(parameters, grads):
                p.data += -lr * grad
            losses.append(loss.log10().item())

    with torch.no_grad():
        hpreact = C[Xtr].view(Xtr.shape[0], -1) @ W1 + b1
        bnmean = hpreact.mean(0, keepdim=True)
        bnvar = hpreact.var(0, keepdim=True, unbiased=True)

    @torch.no_grad()
    def split_loss(split):
        x, y = data[split]
        hpreact = C[x].view(x.shape[0], -1) @ W1 + b1
        hpreact = bngain * (hpreact - bnmean) * (bnvar + 1e-5)**-0.5 + bnbias
        logits = torch.tanh(hpreact) @ W2 + b2
        return F.cross_entropy(logits, y).item()

    return {
        "first_step": first_step,
        "first_loss": 10 ** losses[0],
        "last_loss": 10 ** (sum(losses[-100:]) / 100),
        "train": split_loss("train"),
        "val": split_loss("val"),
    }


# ----- part 5: a WaveNet-like tree of layers ------------------------------------------------


class Embedding:
    def __init__(self, num_embeddings, embedding_dim):
        self.weight = torch.randn((num_embeddings, embedding_dim))

    def __call__(self, IX):
        self.out = self.weight[IX]
        return self.out

    def parameters(self):
        return [self.weight]


class FlattenConsecutive:
    """(B, T, C) -> (B, T/n, C*n): n neighbouring positions side by side; a single position
    left is squeezed away."""

    def __init__(self, n):
        self.n = n

    def __call__(self, x):
        B, T, C = x.shape
        x = x.view(B, T//self.n, C*self.n)
        if x.shape[1] == 1:
            x = x.squeeze(1)
        self.out = x
        return self.out

    def parameters(self):
        return []


class Sequential:
    def __init__(self, layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        self.out = x
        return self.out

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


class WavenetLinear(Linear):
    """The lecture's Linear drawing from the global generator (torch.manual_seed)."""

    def __init__(self, fan_in, fan_out, bias=True):
        super().__init__(fan_in, fan_out, None, bias)


def wavenet(steps=800, seed=42):
    """Eight characters of context merged two by two in three levels, each a Linear,
    a BatchNorm1d over (batch, positions) and a Tanh. The losses are measured on the first
    20,000 contexts of a split (the lecture takes all of them; in float32 arrays of shape
    (N, 4, 128) that alone would cost more than the short training)."""
    data, itos = splits(block_size=8)
    Xtr, Ytr = data["train"]
    vocab_size, n_embd, n_hidden, block_size = len(itos), 24, 128, 8
    examples = [''.join(itos[ix.item()] for ix in x) + ' --> ' + itos[y.item()]
                for x, y in zip(Xtr[:20], Ytr[:20])]

    # merging neighbours two by two is a view: the same as taking even and odd positions
    e = torch.randn(4, 8, 10)
    explicit = torch.cat([e[:, ::2, :], e[:, 1::2, :]], dim=2)
    pairs_are_a_view = (e.view(4, 4, 20) == explicit).all().item()

    torch.manual_seed(seed)
    model = Sequential([
        Embedding(vocab_size, n_embd),
        FlattenConsecutive(2), WavenetLinear(n_embd * 2, n_hidden, bias=False),
        BatchNorm1d(n_hidden), Tanh(),
        FlattenConsecutive(2), WavenetLinear(n_hidden * 2, n_hidden, bias=False),
        BatchNorm1d(n_hidden), Tanh(),
        FlattenConsecutive(2), WavenetLinear(n_hidden * 2, n_hidden, bias=False),
        BatchNorm1d(n_hidden), Tanh(),
        WavenetLinear(n_hidden, vocab_size),
    ])
    with torch.no_grad():
        model.layers[-1].weight *= 0.1
    parameters = model.parameters()
    for p in parameters:
        p.requires_grad = True

    shapes = []
    losses = []
    for i in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (32,))
        Xb, Yb = Xtr[ix], Ytr[ix]
        logits = model(Xb)
        if i == 0:
            shapes = [tuple(layer.out.shape) for layer in model.layers]
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < steps * 3 // 4 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        losses.append(loss.log10().item())
    curve = torch.tensor(losses).view(-1, 100).mean(1)

    for layer in model.layers:
        layer.training = False

    @torch.no_grad()
    def split_loss(split, limit=20000):
        x, y = data[split]
        return F.cross_entropy(model(x[:limit]), y[:limit]).item()

    # one example at a time gives the rows of the whole batch
    logits = torch.zeros(8, 27)
    for i in range(8):
        logits[i] = model(Xtr[[7 + i]])
    batch_diff = (logits - model(Xtr[7:15])).abs().max().item()

    names = []
    for _ in range(10):
        out, context = [], [0] * block_size
        while True:
            logits = model(torch.tensor([context]))
            probs = F.softmax(logits, dim=1)
            ix = torch.multinomial(probs, num_samples=1).item()
            context = context[1:] + [ix]
            out.append(ix)
            if ix == 0:
                break
        names.append("".join(itos[i] for i in out))

    return {
        "examples": examples,
        "pairs_are_a_view": pairs_are_a_view,
        "parameters": sum(p.nelement() for p in parameters),
        "shapes": shapes,
        "curve": curve.tolist(),
        "train": split_loss("train"),
        "val": split_loss("val"),
        "batch_diff": batch_diff,
        "names": names,
        "chance": math.log(vocab_size),
    }
