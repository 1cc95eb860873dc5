"""nanoGPT (karpathy/nanoGPT, MIT licence) on minitorch: its model.py, trimmed, and the steps
of its train.py and sample.py, written for PyTorch with only the import lines changed.

The model keeps what train.py and sample.py use: GPT with tied token embedding and output
weights, GPT-2's initialisation, CausalSelfAttention on its "flash" path
(``F.scaled_dot_product_attention(..., is_causal=True)``), MLP, Block, ``crop_block_size``,
``configure_optimizers`` (AdamW with and without weight decay by parameter shape) and
``generate`` (``logits[:, [-1], :]``, ``torch.topk``, ``torch.multinomial``); left out are
``from_pretrained`` (it downloads GPT-2 through ``transformers``), ``estimate_mfu`` and the
attention written out for PyTorch before 2.0. A tiny GPT learns a few lines of Shakespeare;
where PyTorch is installed, the same text run by PyTorch from the same weights on the same
batches gives the same losses.
"""

import numpy as np
import pytest

# ----- nanoGPT's model.py, trimmed: the text between here and "the tests" also runs on PyTorch

import math
import inspect
from dataclasses import dataclass

import minitorch as torch
import minitorch.nn as nn
from minitorch.nn import functional as F

class LayerNorm(nn.Module):
    """ LayerNorm but with an optional bias. PyTorch doesn't support simply bias=False """

    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, input):
        return F.layer_norm(input, self.weight.shape, self.weight, self.bias, 1e-5)

class CausalSelfAttention(nn.Module):

    def __init__(self, config):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        # key, query, value projections for all heads, but in a batch
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        # output projection
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        # regularization
        self.attn_dropout = nn.Dropout(config.dropout)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.dropout = config.dropout

    def forward(self, x):
        B, T, C = x.size() # batch size, sequence length, embedding dimensionality (n_embd)

        # calculate query, key, values for all heads in batch and move head forward to be the batch dim
        q, k, v  = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) # (B, nh, T, hs)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) # (B, nh, T, hs)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) # (B, nh, T, hs)

        # causal self-attention; Self-attend: (B, nh, T, hs) x (B, nh, hs, T) -> (B, nh, T, T)
        # efficient attention using Flash Attention CUDA kernels
        y = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=self.dropout if self.training else 0, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C) # re-assemble all head outputs side by side

        # output projection
        y = self.resid_dropout(self.c_proj(y))
        return y

class MLP(nn.Module):

    def __init__(self, config):
        super().__init__()
        self.c_fc    = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu    = nn.GELU()
        self.c_proj  = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        x = self.c_fc(x)
        x = self.gelu(x)
        x = self.c_proj(x)
        x = self.dropout(x)
        return x

class Block(nn.Module):

    def __init__(self, config):
        super().__init__()
        self.ln_1 = LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x

@dataclass
class GPTConfig:
    block_size: int = 1024
    vocab_size: int = 50304 # GPT-2 vocab_size of 50257, padded up to nearest multiple of 64 for efficiency
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = True # True: bias in Linears and LayerNorms, like GPT-2. False: a bit better and faster

class GPT(nn.Module):

    def __init__(self, config):
        super().__init__()
        assert config.vocab_size is not None
        assert config.block_size is not None
        self.config = config

        self.transformer = nn.ModuleDict(dict(
            wte = nn.Embedding(config.vocab_size, config.n_embd),
            wpe = nn.Embedding(config.block_size, config.n_embd),
            drop = nn.Dropout(config.dropout),
            h = nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f = LayerNorm(config.n_embd, bias=config.bias),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight # https://paperswithcode.com/method/weight-tying

        # init all weights
        self.apply(self._init_weights)
        # apply special scaled init to the residual projections, per GPT-2 paper
        for pn, p in self.named_parameters():
            if pn.endswith('c_proj.weight'):
                torch.nn.init.normal_(p, mean=0.0, std=0.02/math.sqrt(2 * config.n_layer))

    def get_num_params(self, non_embedding=True):
        n_params = sum(p.numel() for p in self.parameters())
        if non_embedding:
            n_params -= self.transformer.wpe.weight.numel()
        return n_params

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        device = idx.device
        b, t = idx.size()
        assert t <= self.config.block_size, f"Cannot forward sequence of length {t}, block size is only {self.config.block_size}"
        pos = torch.arange(0, t, dtype=torch.long, device=device) # shape (t)

        # forward the GPT model itself
        tok_emb = self.transformer.wte(idx) # token embeddings of shape (b, t, n_embd)
        pos_emb = self.transformer.wpe(pos) # position embeddings of shape (t, n_embd)
        x = self.transformer.drop(tok_emb + pos_emb)
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)

        if targets is not None:
            # if we are given some desired targets also calculate the loss
            logits = self.lm_head(x)
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        else:
            # inference-time mini-optimization: only forward the lm_head on the very last position
            logits = self.lm_head(x[:, [-1], :]) # note: using list [-1] to preserve the time dim
            loss = None

        return logits, loss

    def crop_block_size(self, block_size):
        assert block_size <= self.config.block_size
        self.config.block_size = block_size
        self.transformer.wpe.weight = nn.Parameter(self.transformer.wpe.weight[:block_size])
        for block in self.transformer.h:
            if hasattr(block.attn, 'bias'):
                block.attn.bias = block.attn.bias[:,:,:block_size,:block_size]

    def configure_optimizers(self, weight_decay, learning_rate, betas, device_type):
        # start with all of the candidate parameters
        param_dict = {pn: p for pn, p in self.named_parameters()}
        # filter out those that do not require grad
        param_dict = {pn: p for pn, p in param_dict.items() if p.requires_grad}
        # create optim groups. Any parameters that is 2D will be weight decayed, otherwise no.
        # i.e. all weight tensors in matmuls + embeddings decay, all biases and layernorms don't.
        decay_params = [p for n, p in param_dict.items() if p.dim() >= 2]
        nodecay_params = [p for n, p in param_dict.items() if p.dim() < 2]
        optim_groups = [
            {'params': decay_params, 'weight_decay': weight_decay},
            {'params': nodecay_params, 'weight_decay': 0.0}
        ]
        # Create AdamW optimizer and use the fused version if it is available
        fused_available = 'fused' in inspect.signature(torch.optim.AdamW).parameters
        use_fused = fused_available and device_type == 'cuda'
        extra_args = dict(fused=True) if use_fused else dict()
        optimizer = torch.optim.AdamW(optim_groups, lr=learning_rate, betas=betas, **extra_args)
        return optimizer

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        for _ in range(max_new_tokens):
            # if the sequence context is growing too long we must crop it at block_size
            idx_cond = idx if idx.size(1) <= self.config.block_size else idx[:, -self.config.block_size:]
            # forward the model to get the logits for the index in the sequence
            logits, _ = self(idx_cond)
            # pluck the logits at the final step and scale by desired temperature
            logits = logits[:, -1, :] / temperature
            # optionally crop the logits to only the top k options
            if top_k is not None:
                v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                logits[logits < v[:, [-1]]] = -float('Inf')
            # apply softmax to convert logits to (normalized) probabilities
            probs = F.softmax(logits, dim=-1)
            # sample from the distribution
            idx_next = torch.multinomial(probs, num_samples=1)
            # append sampled index to the running sequence and continue
            idx = torch.cat((idx, idx_next), dim=1)

        return idx

# train.py's learning rate schedule and the body of its loop (one micro step, no DDP); a higher
# learning rate than config/train_shakespeare_char.py's 1e-3, for a tinier model and shorter run
learning_rate, min_lr, warmup_iters, lr_decay_iters = 3e-3, 3e-4, 5, 40
weight_decay, beta1, beta2, grad_clip = 1e-1, 0.9, 0.99, 1.0

def get_lr(it):
    # 1) linear warmup for warmup_iters steps
    if it < warmup_iters:
        return learning_rate * (it + 1) / (warmup_iters + 1)
    # 2) if it > lr_decay_iters, return min learning rate
    if it > lr_decay_iters:
        return min_lr
    # 3) in between, use cosine decay down to min learning rate
    decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    assert 0 <= decay_ratio <= 1
    coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio)) # coeff ranges 0..1
    return min_lr + coeff * (learning_rate - min_lr)

def train(model, optimizer, scaler, batches, iter_num=0):
    losses = []
    for X, Y in batches:
        lr = get_lr(iter_num)
        for param_group in optimizer.param_groups:
            param_group['lr'] = lr
        logits, loss = model(torch.from_numpy(X), torch.from_numpy(Y))
        scaler.scale(loss).backward()
        if grad_clip != 0.0:
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        iter_num += 1
    return losses

@torch.no_grad()
def estimate_loss(model, batches):
    model.eval()
    losses = torch.zeros(len(batches))
    for k, (X, Y) in enumerate(batches):
        logits, loss = model(torch.from_numpy(X), torch.from_numpy(Y))
        losses[k] = loss.item()
    model.train()
    return losses.mean()

# ----- the tests ------------------------------------------------------------------------------

TORCH_IMPORTS = {
    "import minitorch as torch": "import torch",
    "import minitorch.nn as nn": "import torch.nn as nn",
    "from minitorch.nn import functional as F": "from torch.nn import functional as F",
}

TEXT = """First Citizen:
Before we proceed any further, hear me speak.

All:
Speak, speak.

First Citizen:
You are all resolved rather to die than to famish?

All:
Resolved. resolved.

First Citizen:
First, you know Caius Marcius is chief enemy to the people.

All:
We know't, we know't.

First Citizen:
Let us kill him, and we'll have corn at our own price.
Is't a verdict?

All:
No more talking on't; let it be done: away, away!
"""
CHARS = sorted(set(TEXT))
STOI = {ch: i for i, ch in enumerate(CHARS)}
DATA = np.array([STOI[c] for c in TEXT], dtype=np.uint16)
CONFIG = dict(n_layer=2, n_head=2, n_embd=32, block_size=16, bias=True, vocab_size=len(CHARS))


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """The matrices are tiny: a second BLAS thread only waits for a free core, which a busy
    two-core machine may not have (PyTorch's steps then take ten times longer)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def pytorch():
    pytorch = pytest.importorskip("torch")
    before = pytorch.get_num_threads()
    pytorch.set_num_threads(1)
    yield pytorch
    pytorch.set_num_threads(before)


def with_pytorch() -> dict:
    """The model and training text above, run by PyTorch: the imports swapped."""
    from torch_reference import program_on_pytorch

    with program_on_pytorch(__file__, TORCH_IMPORTS, "nanogpt_on_pytorch") as module:
        return vars(module)


def batches(count: int, seed: int, batch_size: int = 8, block_size: int = 16) -> list:
    """train.py's get_batch: random windows of the text and the same windows one on."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        ix = rng.integers(len(DATA) - block_size, size=batch_size)
        x = np.stack([DATA[i:i + block_size].astype(np.int64) for i in ix])
        y = np.stack([DATA[i + 1:i + 1 + block_size].astype(np.int64) for i in ix])
        out.append((x, y))
    return out


def test_a_tiny_gpt_learns_the_text_and_resumes_from_its_checkpoint(tmp_path):
    torch.manual_seed(1337)
    model_args = dict(CONFIG, dropout=0.1)
    model = GPT(GPTConfig(**model_args))
    assert model.transformer.wte.weight is model.lm_head.weight  # tied: counted once
    assert model.get_num_params() == sum(p.numel() for p in model.parameters()) - 16 * 32
    assert len(model.state_dict()) == len(list(model.parameters())) + 1  # both tied names
    optimizer = model.configure_optimizers(weight_decay, learning_rate, (beta1, beta2), "cpu")
    assert [len(g["params"]) for g in optimizer.param_groups] == [2 + 4 * 2, 8 * 2 + 2]
    dtype = "float16"  # train.py's default on a machine without bfloat16, so it makes a scaler
    ptdtype = {'float32': torch.float32, 'bfloat16': torch.bfloat16, 'float16': torch.float16}[dtype]
    assert ptdtype == np.float16
    with pytest.warns(UserWarning, match="CUDA is not available.  Disabling"), \
         pytest.warns(FutureWarning, match="deprecated"):
        scaler = torch.cuda.amp.GradScaler(enabled=(dtype == "float16"))
    assert not scaler.is_enabled()

    held_out = batches(4, seed=99)
    before = estimate_loss(model, held_out).item()
    assert abs(before - math.log(len(CHARS))) < 0.1  # GPT-2's init starts at chance
    losses = train(model, optimizer, scaler, batches(40, seed=0))
    after = estimate_loss(model, held_out)
    assert f"{after:.4f}" == f"{after.item():.4f}" and after < before - 0.5, (before, after)
    assert sum(losses[-5:]) < sum(losses[:5]) - 2.5

    # train.py's checkpoint, and its resumption with the "_orig_mod." prefix stripped
    checkpoint = {
        "model": {"_orig_mod." + k: v for k, v in model.state_dict().items()},
        "optimizer": optimizer.state_dict(),
        "model_args": model_args,
        "iter_num": 40,
        "best_val_loss": after,
        "config": {"dataset": "shakespeare_char", "dtype": dtype, "betas": (beta1, beta2)},
    }
    torch.save(checkpoint, tmp_path / "ckpt.pt")
    checkpoint = torch.load(tmp_path / "ckpt.pt", map_location="cpu")
    assert checkpoint["config"]["betas"] == (beta1, beta2) and checkpoint["iter_num"] == 40
    assert checkpoint["best_val_loss"].item() == after.item()
    resumed = GPT(GPTConfig(**checkpoint["model_args"]))
    state_dict = checkpoint["model"]
    unwanted_prefix = "_orig_mod."
    for k, v in list(state_dict.items()):  # noqa: B007  (sample.py's loop)
        if k.startswith(unwanted_prefix):
            state_dict[k[len(unwanted_prefix):]] = state_dict.pop(k)
    resumed.load_state_dict(state_dict)
    assert resumed.transformer.wte.weight is resumed.lm_head.weight
    resumed_optimizer = resumed.configure_optimizers(weight_decay, learning_rate,
                                                     (beta1, beta2), "cpu")
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    more = batches(3, seed=1)
    for m in (model, resumed):
        m.eval()  # no dropout: the two continue identically
    assert (train(resumed, resumed_optimizer, scaler, more, iter_num=40)
            == train(model, optimizer, scaler, more, iter_num=40))

    # sample.py: generate from a newline with top-k, and crop the context
    model.eval()
    start = torch.tensor([STOI["\n"]], dtype=torch.long)[None, ...]
    y = model.generate(start, 20, temperature=0.8, top_k=5)
    assert y.shape == (1, 21) and y.dtype == torch.long and y[0, 0].item() == STOI["\n"]
    assert "".join(CHARS[i] for i in y[0].tolist())
    model.crop_block_size(8)
    assert model.transformer.wpe.weight.shape == (8, 32) and model.config.block_size == 8
    assert model.generate(start, 12).shape == (1, 13)  # longer than the block: cropped
    with pytest.raises(AssertionError, match="block size is only 8"):
        model(torch.zeros((1, 9), dtype=torch.long))
    with pytest.raises(TypeError, match="no bfloat16"):
        torch.zeros(2, dtype=torch.bfloat16)


def test_pytorch_gives_the_same_losses_from_the_same_weights(pytorch):
    theirs = with_pytorch()
    pytorch.manual_seed(0)
    reference = theirs["GPT"](theirs["GPTConfig"](**CONFIG, dropout=0.0))
    model = GPT(GPTConfig(**CONFIG, dropout=0.0))
    assert list(model.state_dict()) == list(reference.state_dict())
    model.load_state_dict({k: torch.tensor(v.numpy()) for k, v in reference.state_dict().items()})
    assert model.transformer.wte.weight is model.lm_head.weight

    data = batches(25, seed=3)
    runs = []
    for library, namespace, net in ((pytorch, theirs, reference), (torch, globals(), model)):
        optimizer = net.configure_optimizers(weight_decay, learning_rate, (beta1, beta2), "cpu")
        scaler = library.amp.GradScaler("cpu")  # scaling by 2**16 and back changes nothing
        runs.append(namespace["train"](net, optimizer, scaler, data))
        assert scaler.get_scale() == 2.0 ** 16
    np.testing.assert_allclose(runs[1], runs[0], rtol=0, atol=1e-5)
    assert runs[0][-1] < runs[0][0] - 0.4

    for net in (reference, model):
        net.eval()
    x = data[0][0][:2, :10]
    with pytorch.no_grad():
        expected, _ = reference(pytorch.from_numpy(x))
    with torch.no_grad():
        got, _ = model(torch.from_numpy(x))
    assert got.shape == (2, 1, len(CHARS))
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)
    reference.crop_block_size(8)
    model.crop_block_size(8)
    np.testing.assert_allclose(model.transformer.wpe.weight.detach().numpy(),
                               reference.transformer.wpe.weight.detach().numpy(), atol=1e-6)
