"""The whole idea in one page: data, a model, a loss, an optimizer, the training loop and the
test accuracy. Offline, a few seconds: scikit-learn ships these 8x8 images of digits.

    .venv/bin/python examples/quickstart.py
"""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import minitorch
from minitorch import nn, optim
from minitorch.data import DataLoader, TensorDataset

minitorch.manual_seed(0)

# Data: 1797 images of 8x8 pixels (values 0..16) flattened to 64 numbers, labels 0..9.
images, labels = load_digits(return_X_y=True)
x_train, x_test, y_train, y_test = train_test_split(
    images.astype(np.float32) / 16, labels, test_size=0.2, random_state=0
)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)

# Model: 64 inputs -> 128 hidden units with ReLU -> 10 scores (logits), one per digit.
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
loss_fn = nn.CrossEntropyLoss()  # softmax of the scores, then -log p(correct digit)
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

for epoch in range(1, 11):
    total_loss = 0.0
    for x, y in loader:
        loss = loss_fn(model(x), y)  # forward: the graph is recorded
        optimizer.zero_grad()  # forget the previous batch's gradients
        loss.backward()  # backward: d loss / d parameter for every parameter
        optimizer.step()  # move each parameter a small step downhill
        total_loss += loss.item() * len(y)
    print(f"epoch {epoch:2d}  mean training loss {total_loss / len(x_train):.4f}")

# Accuracy: the share of test images whose highest score is the right digit.
with minitorch.no_grad():  # no graph needed to evaluate
    scores = model(minitorch.tensor(x_test))
predicted = np.argmax(scores.numpy(), axis=1)
print(f"test accuracy: {np.mean(predicted == y_test):.3f} on {len(y_test)} unseen images")
