"""Karpathy's GPTs (the "Let's build GPT" lecture's gpt.py and minGPT, in
mingpt_programs.py) run by minitorch with only their import lines changed: tiny
configurations train for a few steps and learn, and, where PyTorch is installed, the same
text run by PyTorch from the same weights on the same batches gives the same losses."""

import math

import mingpt_programs as programs
import numpy as np
import pytest

import minitorch

# minGPT's trainer asks for pinned memory, which both libraries warn about without a GPU.
pytestmark = pytest.mark.filterwarnings("ignore:'pin_memory' argument is set as true")


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """Small matrices: a second BLAS thread would only wait for a core."""
    before = minitorch.get_num_threads()
    minitorch.set_num_threads(1)
    yield
    minitorch.set_num_threads(before)


@pytest.fixture(scope="module")
def theirs():
    """This module's programs on PyTorch, made once."""
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.optim.AdamW([torch.zeros(1, requires_grad=True)])  # its first one imports torch._dynamo
    yield torch, programs.with_pytorch()
    torch.set_num_threads(before)


def copy_weights(source, target) -> None:
    """PyTorch's state_dict -> NumPy -> minitorch's load_state_dict, keys checked."""
    state = {name: value.detach().numpy().copy() for name, value in source.state_dict().items()}
    assert list(state) == list(target.state_dict())
    target.load_state_dict({name: minitorch.tensor(value) for name, value in state.items()})


# ----- the lecture's gpt.py -------------------------------------------------------------------


def test_lecture_gpt_trains_and_samples():
    result = programs.lecture_gpt()
    assert result["parameters"] == pytest.approx(0.027547)  # n_embd 32, 2 layers, 27 chars
    first, last = result["evaluations"][0], result["evaluations"][-1]
    assert first.startswith("step 0: train loss ") and last.startswith("step 29:")
    first_val, last_val = (float(line.rsplit(" ", 1)[1]) for line in (first, last))
    assert first_val == pytest.approx(math.log(27), abs=0.1)  # chance: ln(27) = 3.30
    assert last_val < first_val - 0.4
    assert len(result["sample"]) == 21 and set(result["sample"]) <= set(programs.chars)


def lecture_model(library, namespace, learning_rate=3e-4):
    """The lecture's model in eval mode (dropout off) and AdamW at gpt.py's learning rate."""
    library.manual_seed(0)
    model = namespace["GPTLanguageModel"]().eval()
    return model, library.optim.AdamW(model.parameters(), lr=learning_rate)


def test_lecture_gpt_agrees_with_pytorch_from_the_same_weights(theirs):
    torch, namespace = theirs
    reference, reference_optimizer = lecture_model(torch, namespace)
    model, optimizer = lecture_model(minitorch, vars(programs))
    copy_weights(reference, model)
    data = programs.train_data.numpy()
    rng = np.random.default_rng(0)
    for _ in range(30):
        starts = rng.integers(0, len(data) - programs.block_size, programs.batch_size)
        x = np.stack([data[i:i + programs.block_size] for i in starts])
        y = np.stack([data[i + 1:i + programs.block_size + 1] for i in starts])
        losses = []
        for net, opt, library in ((reference, reference_optimizer, torch),
                                  (model, optimizer, minitorch)):
            _, loss = net(library.tensor(x), library.tensor(y))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        # Float32 rounding differs between the libraries; Adam divides by sqrt(v) + 1e-8 and
        # so magnifies it where a gradient is about 1e-8 (10 times more at lr=1e-3 after 40
        # steps). In float64 the two agree to 1e-14.
        assert losses[1] == pytest.approx(losses[0], abs=1e-5)
    assert losses[0] < math.log(len(programs.chars)) - 0.2  # it did learn


# ----- minGPT ---------------------------------------------------------------------------------


def mingpt_config(namespace, vocab_size, block_size, *overrides):
    """A tiny GPT's configuration, set by minGPT's command-line overrides."""
    C = namespace["CN"]()
    C.model = namespace["GPT"].get_default_config()
    C.trainer = namespace["Trainer"].get_default_config()
    C.merge_from_args(list(overrides))
    C.model.vocab_size, C.model.block_size = vocab_size, block_size
    return C


def test_mingpt_chargpt_trains_and_samples():
    minitorch.manual_seed(3407)
    dataset = programs.CharDataset(16, programs.TEXT)
    C = mingpt_config(vars(programs), dataset.vocab_size, 16, "--model.model_type=gpt-nano",
                      "--trainer.max_iters=40", "--trainer.batch_size=16",
                      "--trainer.learning_rate=5e-3")
    model = programs.GPT(C.model)
    assert model.n_params == 3 * 12 * 48 * 48 + 3 * 13 * 48 + 2 * 48 + (27 + 16) * 48
    trainer = programs.Trainer(C.trainer, model, dataset)
    losses = []
    trainer.set_callback("on_batch_end", lambda t: losses.append(t.loss.item()))
    trainer.run()  # C.trainer.num_workers is 4: loaded in this process, the same batches
    assert len(losses) == 40 and abs(losses[0] - math.log(27)) < 0.1
    assert np.mean(losses[-5:]) < losses[0] - 0.6
    assert isinstance(trainer.grad_norm, minitorch.Tensor) and trainer.grad_norm.ndim == 0
    model.eval()
    with minitorch.no_grad():
        x = minitorch.tensor([dataset.stoi[s] for s in "emma\n"], dtype=minitorch.long)[None, ...]
        y = model.generate(x, 30, temperature=1.0, do_sample=True, top_k=10)[0]
    completion = ''.join([dataset.itos[int(i)] for i in y])
    assert len(completion) == 35 and completion.startswith("emma\n")
    assert not y.requires_grad and y.dtype == minitorch.int64


def test_mingpt_adder_trains_and_evaluates():
    train_dataset = programs.AdditionDataset(1, "train")
    test_dataset = programs.AdditionDataset(1, "test")
    assert (len(train_dataset), len(test_dataset)) == (80, 20)
    x, y = train_dataset[0]
    assert x.tolist()[:2] + y.tolist()[1:] == x.tolist()[:2] + x.tolist()[2:] + y.tolist()[-1:]
    assert y.tolist()[0] == -1  # the prompt's targets are masked out of the loss
    minitorch.manual_seed(3407)
    C = mingpt_config(vars(programs), 10, train_dataset.get_block_size(),
                      "--model.model_type=None", "--model.n_layer=2", "--model.n_head=2",
                      "--model.n_embd=32", "--trainer.max_iters=60", "--trainer.batch_size=32",
                      "--trainer.learning_rate=5e-3")
    model = programs.GPT(C.model)
    trainer = programs.Trainer(C.trainer, model, train_dataset)
    losses = []
    trainer.set_callback("on_batch_end", lambda t: losses.append(t.loss.item()))
    trainer.run()
    assert np.mean(losses[-10:]) < losses[0] - 0.7
    model.eval()
    with minitorch.no_grad():
        score, summary, mistakes = programs.eval_split(model, test_dataset)
    assert summary.startswith(f"final score: {int(score.item())}/20 = ")
    assert len(mistakes) == min(5, 20 - int(score.item()))
    assert all(m.startswith("GPT claims that ") for m in mistakes)


class InOrder:
    """The same samples in order, whatever index the sampler draws: the two libraries
    draw different random numbers, and this gives them the same batches."""

    def __init__(self, library, data, starts, block_size):
        self.library, self.data, self.starts, self.block_size = library, data, starts, block_size
        self.drawn = 0

    def __len__(self):
        return len(self.starts)

    def __getitem__(self, index):
        start = self.starts[self.drawn % len(self.starts)]
        self.drawn += 1
        x = self.data[start:start + self.block_size]
        y = self.data[start + 1:start + self.block_size + 1].copy()
        y[:2] = -1  # as the adder masks its prompts: ignore_index=-1 in the loss
        return self.library.tensor(x), self.library.tensor(y)


def test_mingpt_agrees_with_pytorch_from_the_same_weights(theirs):
    torch, namespace = theirs
    block_size, steps, batch_size = 16, 30, 8
    data = np.array([programs.stoi[c] for c in programs.TEXT])
    starts = np.random.default_rng(0).integers(0, len(data) - block_size - 1, steps * batch_size)
    args = ("--model.model_type=None", "--model.n_layer=2", "--model.n_head=4",
            "--model.n_embd=32", "--model.embd_pdrop=0.0", "--model.resid_pdrop=0.0",
            "--model.attn_pdrop=0.0", f"--trainer.max_iters={steps}",
            f"--trainer.batch_size={batch_size}", "--trainer.learning_rate=1e-3",
            "--trainer.grad_norm_clip=0.5")
    runs = []
    for library, names, workers in ((torch, namespace, 0), (minitorch, vars(programs), 4)):
        C = mingpt_config(names, len(programs.chars), block_size, *args,
                          f"--trainer.num_workers={workers}")
        library.manual_seed(0)
        model = names["GPT"](C.model)
        trainer = names["Trainer"](C.trainer, model, InOrder(library, data, starts, block_size))
        log = []
        trainer.set_callback("on_batch_end",
                             lambda t, log=log: log.append((t.loss.item(), t.grad_norm.item())))
        runs.append((model, trainer, log))
    copy_weights(runs[0][0], runs[1][0])
    for _, trainer, _ in runs:
        trainer.run()
    (_, _, reference), (_, _, ours) = runs
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-5)
    assert any(norm > 0.5 for _, norm in ours)  # the clipping did act
    assert ours[-1][0] < ours[0][0] - 0.5
