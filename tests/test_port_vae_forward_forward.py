"""Two of pytorch/examples, with the code of their models, losses and training steps as there
and written once for a module that is either library: ``vae/main.py`` (a variational
autoencoder of 28x28 images trained with Adam on the binary cross-entropy plus the KL
divergence) and ``mnist_forward_forward/main.py`` (Hinton's forward-forward algorithm: each
layer trained on its own to give positive data a high "goodness" and negative data a low one).

The images are random here (MNIST in the examples), so the tests need no data. Against
PyTorch, both libraries start from the same weights (copied through NumPy) and draw the same
noise, so the losses must agree. (pytorch/examples is BSD-3-Clause licensed, copyright the
PyTorch contributors.)
"""

import numpy as np
import pytest

import minitorch

BATCH, BATCHES = 32, 6


def images(count: int, seed: int = 0) -> np.ndarray:
    """Blurry random images in [0, 1], (count, 1, 28, 28) float32, with labels 0..9."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(size=(count, 1, 7, 7))
    return np.kron(coarse, np.ones((4, 4))).astype(np.float32), rng.integers(0, 10, count)


def noise(count: int) -> list[np.ndarray]:
    """The reparameterisation noise of each batch, drawn once for both libraries."""
    rng = np.random.default_rng(1)
    return [rng.standard_normal((BATCH, 20)).astype(np.float32) for _ in range(count)]


# ----- vae/main.py ----------------------------------------------------------------------------


def run_vae(torch, weights=None):
    """The example's VAE, loss and train loop over BATCHES batches (its randn_like noise taken
    from :func:`noise`); returns the per-sample losses it logs, the test loss and the weights
    it started from."""
    nn, F, optim = torch.nn, torch.nn.functional, torch.optim
    draws = iter(noise(2 * BATCHES))

    class VAE(nn.Module):
        def __init__(self):
            super(VAE, self).__init__()  # noqa: UP008 (the example's spelling)
            self.fc1 = nn.Linear(784, 400)
            self.fc21 = nn.Linear(400, 20)
            self.fc22 = nn.Linear(400, 20)
            self.fc3 = nn.Linear(20, 400)
            self.fc4 = nn.Linear(400, 784)

        def encode(self, x):
            h1 = F.relu(self.fc1(x))
            return self.fc21(h1), self.fc22(h1)

        def reparameterize(self, mu, logvar):
            std = torch.exp(0.5*logvar)
            eps = torch.tensor(next(draws))  # torch.randn_like(std) in the example
            return mu + eps*std

        def decode(self, z):
            h3 = F.relu(self.fc3(z))
            return torch.sigmoid(self.fc4(h3))

        def forward(self, x):
            mu, logvar = self.encode(x.view(-1, 784))
            z = self.reparameterize(mu, logvar)
            return self.decode(z), mu, logvar

    def loss_function(recon_x, x, mu, logvar):
        BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction='sum')
        KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return BCE + KLD

    model = VAE()
    if weights is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
    start = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    x, y = images(BATCH * BATCHES)
    train_loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=BATCH)
    model.train()
    logged = []
    for data, _ in train_loader:
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        optimizer.step()
        logged.append(loss.item() / len(data))
    model.eval()
    test_loss = 0
    x_test, y_test = images(BATCH * BATCHES, seed=2)
    test_loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(x_test), torch.tensor(y_test)),
        batch_size=BATCH, shuffle=False)
    with torch.no_grad():
        for i, (data, _) in enumerate(test_loader):
            recon_batch, mu, logvar = model(data)
            test_loss += loss_function(recon_batch, data, mu, logvar).item()
            if i == 0:
                n = min(data.size(0), 8)
                comparison = torch.cat([data[:n], recon_batch.view(BATCH, 1, 28, 28)[:n]])
                assert tuple(comparison.shape) == (16, 1, 28, 28)
    return logged, test_loss / len(test_loader.dataset), start


def test_vae_trains():
    logged, test_loss, _ = run_vae(minitorch)
    assert logged[-1] < logged[0] and np.isfinite(test_loss)  # 6 steps: 549.2 -> 547.2


def test_vae_starts_and_trains_as_pytorch_from_the_same_seed_alone():
    torch = pytest.importorskip("torch")
    results = []
    for library in (minitorch, torch):
        library.manual_seed(0)  # no weights copied: the seed makes the same layers
        results.append(run_vae(library)[:2])
    (ours, our_test), (theirs, their_test) = results
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    assert our_test == pytest.approx(their_test, rel=1e-5)


def test_vae_logs_pytorchs_losses_from_the_same_weights():
    torch = pytest.importorskip("torch")
    ours, our_test, start = run_vae(minitorch)
    theirs, their_test, _ = run_vae(torch, start)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    assert our_test == pytest.approx(their_test, rel=1e-5)


# ----- mnist_forward_forward/main.py ----------------------------------------------------------


def run_forward_forward(torch, weights=None, epochs=30, size=200):
    """The example's functions and classes (its args as constants, the negative labels drawn
    from a NumPy stream); returns the logged losses, the train and test errors and the
    weights it started from."""
    nn, Adam = torch.nn, torch.optim.Adam
    lr, threshold, log_interval = 0.03, 2.0, 10
    device = torch.device("cpu")
    rng = np.random.default_rng(3)
    logged = []

    def get_y_neg(y):
        y_neg = y.clone()
        for idx, y_samp in enumerate(y):
            allowed_indices = list(range(10))
            allowed_indices.remove(y_samp.item())
            y_neg[idx] = torch.tensor(allowed_indices)[
                torch.tensor(rng.integers(len(allowed_indices), size=(1,)))  # torch.randint
            ].item()
        return y_neg.to(device)

    def overlay_y_on_x(x, y, classes=10):
        x_ = x.clone()
        x_[:, :classes] *= 0.0
        x_[range(x.shape[0]), y] = x.max()
        return x_

    class Net(torch.nn.Module):
        def __init__(self, dims):
            super().__init__()
            self.layers = []
            for d in range(len(dims) - 1):
                self.layers = self.layers + [Layer(dims[d], dims[d + 1]).to(device)]

        def predict(self, x):
            goodness_per_label = []
            for label in range(10):
                h = overlay_y_on_x(x, label)
                goodness = []
                for layer in self.layers:
                    h = layer(h)
                    goodness = goodness + [h.pow(2).mean(1)]
                goodness_per_label += [sum(goodness).unsqueeze(1)]
            goodness_per_label = torch.cat(goodness_per_label, 1)
            return goodness_per_label.argmax(1)

        def train(self, x_pos, x_neg):
            h_pos, h_neg = x_pos, x_neg
            for layer in self.layers:  # the example prints each layer's number here
                h_pos, h_neg = layer.train(h_pos, h_neg)

    class Layer(nn.Linear):
        def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
            super().__init__(in_features, out_features, bias, device, dtype)
            self.relu = torch.nn.ReLU()
            self.opt = Adam(self.parameters(), lr=lr)
            self.threshold = threshold
            self.num_epochs = epochs

        def forward(self, x):
            x_direction = x / (x.norm(2, 1, keepdim=True) + 1e-4)
            return self.relu(torch.mm(x_direction, self.weight.T) + self.bias.unsqueeze(0))

        def train(self, x_pos, x_neg):
            for i in range(self.num_epochs):
                g_pos = self.forward(x_pos).pow(2).mean(1)
                g_neg = self.forward(x_neg).pow(2).mean(1)
                loss = torch.log1p(
                    torch.exp(
                        torch.cat([-g_pos + self.threshold, g_neg - self.threshold])
                    )
                ).mean()
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                if i % log_interval == 0:
                    logged.append(loss.item())
            return self.forward(x_pos).detach(), self.forward(x_neg).detach()

    net = Net([784, 100, 100])
    if weights is not None:
        net.layers[0].load_state_dict({k: torch.tensor(v) for k, v in weights[0].items()})
        net.layers[1].load_state_dict({k: torch.tensor(v) for k, v in weights[1].items()})
    start = [{k: v.detach().numpy().copy() for k, v in layer.state_dict().items()}
             for layer in net.layers]
    pixels, labels = images(2 * size)
    normalized = (pixels - 0.1307) / 0.3081  # Normalize((0.1307,), (0.3081,)) then flatten
    x, y = torch.tensor(normalized[:size].reshape(size, -1)), torch.tensor(labels[:size])
    x_pos = overlay_y_on_x(x, y)
    y_neg = get_y_neg(y)
    x_neg = overlay_y_on_x(x, y_neg)
    net.train(x_pos, x_neg)
    train_error = 1.0 - net.predict(x).eq(y).float().mean().item()
    x_te, y_te = torch.tensor(normalized[size:].reshape(size, -1)), torch.tensor(labels[size:])
    test_error = 1.0 - net.predict(x_te).eq(y_te).float().mean().item()
    return logged, train_error, test_error, start


def test_forward_forward_trains():
    logged, train_error, test_error, _ = run_forward_forward(minitorch)
    assert logged[2] < logged[0] and logged[5] < logged[3]  # each layer's loss falls
    assert 0.0 <= train_error <= 1.0 and 0.0 <= test_error <= 1.0


def test_forward_forward_logs_pytorchs_losses_and_errors_from_the_same_weights():
    torch = pytest.importorskip("torch")
    ours = run_forward_forward(minitorch)
    theirs = run_forward_forward(torch, ours[3])
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    assert ours[1:3] == pytest.approx(theirs[1:3], abs=1e-6)
