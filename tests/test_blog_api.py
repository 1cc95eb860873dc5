"""The training loop from the minitorch blog post, run as written there (with the 8x8 digits'
64 inputs in place of MNIST's 784)."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from minitorch.layers import Linear, ReLU
from minitorch.loss import cross_entropy_loss
from minitorch.optim import SGD, Adam
from minitorch.tensor import Tensor


def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def rows(data, start, stop):
    """A batch of rows from a NumPy array or a pandas DataFrame / Series."""
    return data.iloc[start:stop] if hasattr(data, "iloc") else data[start:stop]


def blog_loop(X, y, make_optimizer, epochs=4, batch_size=32):
    layer1 = Linear(64, 128)
    relu = ReLU()
    layer2 = Linear(128, 10)
    opt = make_optimizer(layer1.parameters() + layer2.parameters())
    losses, lines = [], []
    for epoch in range(epochs):
        epoch_loss, num_batches = 0.0, 0
        for start in range(0, len(X), batch_size):
            xb = Tensor(rows(X, start, start + batch_size), requires_grad=False)
            yb = np.asarray(rows(y, start, start + batch_size))
            yb_onehot = np.eye(10)[yb]
            logits = layer2(relu(layer1(xb)))
            loss = cross_entropy_loss(logits, yb_onehot)
            opt.zero_grad()
            loss.backward()
            opt.step()
            epoch_loss += loss.data
            num_batches += 1
        avg_loss = epoch_loss / num_batches
        lines.append(f"Epoch {epoch + 1}, Loss: {avg_loss:.4f}")
        losses.append(float(avg_loss))
    logits = layer2(relu(layer1(Tensor(X, requires_grad=False))))
    accuracy = np.mean(np.argmax(logits.data, axis=1) == np.asarray(y))
    return losses, lines, accuracy


@pytest.mark.parametrize(
    "make_optimizer",
    [lambda params: SGD(params, lr=0.01, momentum=0.9), lambda params: Adam(params, lr=1e-3)],
    ids=["sgd", "adam"],
)
def test_blog_loop_with_numpy_arrays(make_optimizer):
    X, y = digits()
    losses, lines, accuracy = blog_loop(X, y, make_optimizer)
    assert losses[-1] < losses[0] / 3
    assert accuracy > 0.9
    assert lines[0].startswith("Epoch 1, Loss: ") and len(lines[0].split(": ")[1]) == 6


def test_blog_loop_with_a_pandas_dataframe():
    pd = pytest.importorskip("pandas")
    X, y = digits()
    frame = pd.DataFrame(X, columns=[f"pixel{i}" for i in range(64)])
    losses, _, accuracy = blog_loop(frame, pd.Series(y), lambda p: SGD(p, lr=0.01, momentum=0.9))
    assert losses[-1] < losses[0] / 3 and accuracy > 0.9


def test_loss_data_is_a_detached_scalar_that_formats():
    logits = Linear(4, 3)(Tensor(np.ones((2, 4))))
    loss = cross_entropy_loss(logits, np.eye(3)[[0, 2]])
    assert isinstance(loss.data, Tensor) and loss.data.shape == ()
    assert not loss.data.requires_grad
    total = 0.0
    total += loss.data
    assert f"{total:.4f}" == f"{loss.item():.4f}"


def test_package_level_imports():
    from minitorch import Tensor as PackageTensor
    from minitorch import nn, optim

    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    X, y = digits()
    first = None
    for _ in range(30):
        loss = nn.CrossEntropyLoss()(model(PackageTensor(X[:256])), y[:256])
        opt.zero_grad()
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < first / 2
    assert Linear is nn.Linear and cross_entropy_loss is nn.functional.cross_entropy_loss
