"""makemore part 2 (a character-level MLP language model on names, after Bengio et al. 2003),
as written in the lecture with only the import lines changed; a short run of a few hundred
steps instead of 200,000."""

import math
import random
from pathlib import Path

import pytest

import minitorch as torch
import minitorch.nn.functional as F

NAMES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "names" / "names.txt"
STEPS = 3000

pytestmark = pytest.mark.skipif(not NAMES.is_file(), reason="names.txt absent")


def test_makemore_mlp(capsys):
    # read in all the words
    words = open(NAMES).read().splitlines()

    # build the vocabulary of characters and mappings to/from integers
    chars = sorted(list(set(''.join(words))))
    stoi = {s:i+1 for i,s in enumerate(chars)}
    stoi['.'] = 0
    itos = {i:s for s,i in stoi.items()}

    # build the dataset
    block_size = 3 # context length: how many characters do we take to predict the next one?

    def build_dataset(words):
        X, Y = [], []
        for w in words:

            #print(w)
            context = [0] * block_size
            for ch in w + '.':
                ix = stoi[ch]
                X.append(context)
                Y.append(ix)
                #print(''.join(itos[i] for i in context), '--->', itos[ix])
                context = context[1:] + [ix] # crop and append

        X = torch.tensor(X)
        Y = torch.tensor(Y)
        print(X.shape, Y.shape)
        return X, Y

    # the first part of the lecture: the 32 examples of the first five words
    X, Y = build_dataset(words[:5])
    assert (X.shape, X.dtype, Y.shape, Y.dtype) == ((32, 3), torch.int64, (32,), torch.int64)

    torch.manual_seed(42)  # the lecture leaves this first look to chance
    C = torch.randn((27, 2))
    emb = C[X]
    assert emb.shape == (32, 3, 2)
    W1 = torch.randn((6, 100))
    b1 = torch.randn(100)
    h = torch.tanh(emb.view(-1, 6) @ W1 + b1)
    assert h.shape == (32, 100)
    W2 = torch.randn((100, 27))
    b2 = torch.randn(27)
    logits = h @ W2 + b2
    counts = logits.exp()
    prob = counts / counts.sum(1, keepdims=True)
    loss = -prob[torch.arange(32), Y].log().mean()
    assert math.isclose(loss.item(), F.cross_entropy(logits, Y).item(), rel_tol=1e-4)

    # ------------ now made respectable :) ---------------
    random.seed(42)
    random.shuffle(words)
    n1 = int(0.8*len(words))
    n2 = int(0.9*len(words))

    Xtr, Ytr = build_dataset(words[:n1])
    Xdev, Ydev = build_dataset(words[n1:n2])
    Xte, Yte = build_dataset(words[n2:])

    g = torch.Generator().manual_seed(2147483647) # for reproducibility
    C = torch.randn((27, 10), generator=g)
    W1 = torch.randn((30, 200), generator=g)
    b1 = torch.randn(200, generator=g)
    W2 = torch.randn((200, 27), generator=g)
    b2 = torch.randn(27, generator=g)
    parameters = [C, W1, b1, W2, b2]
    assert sum(p.nelement() for p in parameters) == 11897 # number of parameters in total
    for p in parameters:
        p.requires_grad = True

    lre = torch.linspace(-3, 0, 1000)
    lrs = 10**lre
    assert math.isclose(lrs[0].item(), 0.001, rel_tol=1e-5) and lrs[-1].item() == 1.0

    torch.manual_seed(0)  # the minibatches come from the default generator
    lossi = []
    stepi = []
    for i in range(STEPS):

        # minibatch construct
        ix = torch.randint(0, Xtr.shape[0], (32,))

        # forward pass
        emb = C[Xtr[ix]] # (32, 3, 10)
        h = torch.tanh(emb.view(-1, 30) @ W1 + b1) # (32, 200)
        logits = h @ W2 + b2 # (32, 27)
        loss = F.cross_entropy(logits, Ytr[ix])

        # backward pass
        for p in parameters:
            p.grad = None
        loss.backward()

        # update
        lr = 0.1
        for p in parameters:
            p.data += -lr * p.grad

        # track stats
        stepi.append(i)
        lossi.append(loss.log10().item())

    def split_loss(X, Y):
        emb = C[X] # (N, 3, 10)
        h = torch.tanh(emb.view(-1, 30) @ W1 + b1) # (N, 200)
        logits = h @ W2 + b2 # (N, 27)
        return F.cross_entropy(logits, Y)

    first, last = 10 ** lossi[0], 10 ** (sum(lossi[-50:]) / 50)
    train_loss, dev_loss = split_loss(Xtr, Ytr).item(), split_loss(Xdev, Ydev).item()

    # sample from the model
    g = torch.Generator().manual_seed(2147483647 + 10)

    names = []
    for _ in range(20):

        out = []
        context = [0] * block_size # initialize with all ...
        while True:
            emb = C[torch.tensor([context])] # (1,block_size,d)
            h = torch.tanh(emb.view(1, -1) @ W1 + b1)
            logits = h @ W2 + b2
            probs = F.softmax(logits, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            out.append(ix)
            if ix == 0:
                break

        names.append(''.join(itos[i] for i in out))
        print(names[-1])

    with capsys.disabled():
        print(f"\nmakemore MLP: minibatch loss {first:.3f} -> {last:.3f} in {STEPS} steps; "
              f"train {train_loss:.3f}, dev {dev_loss:.3f} (ln 27 = {math.log(27):.3f})")
        print("samples:", " ".join(names))
    assert last < 0.2 * first  # from about 25 with the lecture's initialisation
    assert train_loss < math.log(27) - 0.3 and dev_loss < math.log(27) - 0.3
    assert all(name.endswith(".") for name in names)
