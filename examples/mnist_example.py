"""Train a multilayer perceptron to classify handwritten digits with minitorch.

    python examples/mnist_example.py                          # MNIST from OpenML; offline,
                                                              # scikit-learn's 8x8 digits
    python examples/mnist_example.py --data-dir path/to/idx   # MNIST-format IDX files
    python examples/mnist_example.py --dataset digits --epochs 20 --plot curves.png

The default network is inputs-256-128-classes with ReLU and dropout 0.2 after each hidden
layer, trained by Adam (learning rate 1e-3, decaying along a cosine to 0) for 15 epochs of
batches of 64. Prints one line per epoch (loss, train and test accuracy, seconds) and the
final test accuracy. ``--save`` writes the model's and the optimizer's state dicts with
``minitorch.save``; ``--plot`` draws the loss and accuracy curves if matplotlib is installed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import minitorch
from minitorch import nn, optim
from minitorch.data import DataLoader, DatasetSplits, TensorDataset, load_dataset
from minitorch.diagnostics import TrainingMonitor, plot_gradient_flow
from minitorch.nn import functional as F
from minitorch.progress import ProgressBar

History = dict[str, list[float]]


# ----- model ----------------------------------------------------------------------------------


def build_mlp(
    num_features: int, num_classes: int, hidden: Sequence[int], dropout: float
) -> nn.Module:
    """Linear layers of the given hidden widths, each followed by ReLU and, when
    ``dropout`` > 0, Dropout."""
    layers: list[nn.Module] = []
    width = num_features
    for size in hidden:
        layers += [nn.Linear(width, size), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = size
    layers.append(nn.Linear(width, num_classes))
    return nn.Sequential(*layers)


# --model picks one of these builders; each takes (num_features, num_classes, hidden, dropout).
MODELS: dict[str, Callable[[int, int, Sequence[int], float], nn.Module]] = {"mlp": build_mlp}


def build_model(
    num_features: int,
    num_classes: int,
    hidden: Sequence[int] = (256, 128),
    dropout: float = 0.2,
    model: str = "mlp",
) -> nn.Module:
    """The network named by ``model`` for inputs of ``num_features`` values."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {sorted(MODELS)}, got {model!r}")
    return MODELS[model](num_features, num_classes, hidden, dropout)


def make_optimizer(name: str, parameters: list[nn.Parameter], lr: float) -> optim.Optimizer:
    if name == "sgd":
        return optim.SGD(parameters, lr=lr, momentum=0.9)
    if name == "adam":
        return optim.Adam(parameters, lr=lr)
    raise ValueError(f"optimizer must be 'sgd' or 'adam', got {name!r}")


# ----- training and evaluation ----------------------------------------------------------------


def train_epoch(
    model: nn.Module,
    loader: DataLoader,
    optimizer: optim.Optimizer,
    show_progress: bool | None = None,
) -> tuple[float, float]:
    """One pass over ``loader``; returns the mean loss and the accuracy on the training
    batches (as the model was while it saw each batch). A progress bar shows while it runs
    when ``show_progress`` is True, or by default when stdout is a terminal."""
    model.train()
    correct = 0
    with ProgressBar(len(loader), enabled=show_progress) as bar:
        for images, labels in loader:
            logits = model(images)
            loss = F.cross_entropy_loss(logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            bar.update(len(labels), float(loss.data))
            correct += int(np.sum(np.argmax(logits.data, axis=1) == labels.data))
    return bar.running_loss, correct / bar.samples


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray, batch_size: int = 1000) -> float:
    """Accuracy of ``model`` on inputs ``x`` and labels ``y``, in evaluation mode."""
    model.eval()
    correct = 0
    with minitorch.no_grad():
        for start in range(0, len(x), batch_size):
            logits = model(minitorch.from_numpy(x[start : start + batch_size]))
            correct += int(np.sum(np.argmax(logits.data, axis=1) == y[start : start + batch_size]))
    model.train()
    return correct / len(x)


def plot_history(history: History, path: str) -> bool:
    """Save loss and accuracy per epoch as a PNG; False (with a note) without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        print("matplotlib is not installed, so no plot was drawn (pip install matplotlib)")
        return False
    epochs = range(1, len(history["loss"]) + 1)
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 4))
    loss_axes.plot(epochs, history["loss"])
    loss_axes.set(xlabel="epoch", ylabel="training loss")
    accuracy_axes.plot(epochs, history["train_accuracy"], label="train")
    accuracy_axes.plot(epochs, history["test_accuracy"], label="test")
    accuracy_axes.set(xlabel="epoch", ylabel="accuracy")
    accuracy_axes.legend()
    for axes in (loss_axes, accuracy_axes):
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs only
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return True


# ----- command line ---------------------------------------------------------------------------


def parse_hidden(text: str) -> tuple[int, ...]:
    """'256,128' -> (256, 128); '' -> () (no hidden layer)."""
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated layer widths such as 256,128, got {text!r}"
        ) from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer widths must be positive, got {text!r}")
    return sizes


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def probability(text: str) -> float:
    value = float(text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a probability in [0, 1), got {text}")
    return value


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """--data-dir or --dataset, which ``load_data`` reads."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data-dir", help="folder of MNIST-format IDX files")
    source.add_argument(
        "--dataset",
        choices=["auto", "openml", "digits"],
        default="auto",
        help="without --data-dir: auto tries OpenML MNIST and falls back to the bundled digits",
    )


def parse_with_training_arguments(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    epochs: int,
    batch_size: int,
    adam_lr: float,
) -> argparse.Namespace:
    """Add --epochs, --batch-size, --optimizer, --lr, --seed and --threads, the first two with
    these defaults, to ``parser`` and parse ``argv``; without --lr, Adam starts at ``adam_lr``
    and SGD at 0.05."""
    parser.add_argument("--epochs", type=positive_int, default=epochs)
    parser.add_argument("--batch-size", type=positive_int, default=batch_size)
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default="adam")
    parser.add_argument("--lr", type=float, default=None,
                        help=f"initial learning rate (default {adam_lr:g} for adam, 0.05 for sgd)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=positive_int, default=1,
                        help="threads for the matrix products (default 1: steady on a busy "
                        "machine; 2 or more is faster only on otherwise idle cores)")
    args = parser.parse_args(argv)
    if args.lr is None:
        args.lr = adam_lr if args.optimizer == "adam" else 0.05
    return args


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--model", choices=sorted(MODELS), default="mlp")
    parser.add_argument("--hidden", type=parse_hidden, default=(256, 128),
                        help="hidden layer widths (default 256,128)")
    parser.add_argument("--dropout", type=probability, default=0.2,
                        help="dropout after each hidden layer (default 0.2; 0 for none)")
    parser.add_argument("--schedule", choices=["cosine", "constant"], default="cosine",
                        help="learning rate over the epochs: cosine decay to 0 (default) or fixed")
    parser.add_argument("--save", metavar="PATH", help="write a checkpoint here after training")
    parser.add_argument("--plot", metavar="PATH", help="draw loss and accuracy curves (PNG)")
    parser.add_argument(
        "--diagnostics",
        action="store_true",
        help="print per-layer gradient norms, activation statistics and dead ReLUs each epoch, "
        "and draw the gradient flow to gradient-flow.png (beside the --plot file if given)",
    )
    return parse_with_training_arguments(parser, argv, epochs=15, batch_size=64, adam_lr=1e-3)


def load_data(args: argparse.Namespace) -> DatasetSplits:
    if args.data_dir is not None:
        return load_dataset("idx", args.data_dir)
    return load_dataset(args.dataset)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the example; returns the per-epoch history and the final test accuracy."""
    args = parse_args(argv)
    minitorch.manual_seed(args.seed)
    minitorch.set_num_threads(args.threads)
    data = load_data(args)
    print(
        f"{data.name}: {len(data.x_train)} training and {len(data.x_test)} test samples, "
        f"{data.num_features} features, {data.num_classes} classes"
    )
    model = build_model(data.num_features, data.num_classes, args.hidden, args.dropout, args.model)
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr)
    # Cosine decay: large steps early, ever finer ones as training settles.
    scheduler = (
        optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
        if args.schedule == "cosine"
        else None
    )
    loader = DataLoader(
        TensorDataset(data.x_train, data.y_train),
        batch_size=args.batch_size,
        shuffle=True,
        seed=args.seed,
    )
    show_progress = sys.stdout.isatty()
    monitor = TrainingMonitor(model) if args.diagnostics else None
    history: History = {"loss": [], "train_accuracy": [], "test_accuracy": [], "seconds": []}
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        loss, train_accuracy = train_epoch(model, loader, optimizer, show_progress)
        seconds = time.perf_counter() - start
        if scheduler is not None:
            scheduler.step()
        test_accuracy = evaluate(model, data.x_test, data.y_test)
        for key, value in zip(history, (loss, train_accuracy, test_accuracy, seconds), strict=True):
            history[key].append(value)
        print(
            f"epoch {epoch:2d}/{args.epochs}  loss {loss:.4f}  train acc {train_accuracy:.4f}  "
            f"test acc {test_accuracy:.4f}  {seconds:.1f}s",
            flush=True,
        )
        if monitor is not None:
            print(monitor.format_table(monitor.end_epoch()), flush=True)
    final_accuracy = history["test_accuracy"][-1]
    print(f"final test accuracy: {final_accuracy:.4f}")
    if args.save:
        checkpoint = {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epochs": args.epochs,
            "args": {key: list(v) if isinstance(v, tuple) else v for key, v in vars(args).items()},
        }
        minitorch.save(checkpoint, args.save)
        print(f"saved the model and optimizer state to {args.save}")
    if args.plot and plot_history(history, args.plot):
        print(f"saved the training curves to {args.plot}")
    if monitor is not None:
        stem = str(Path(args.plot).with_suffix("")) + "-" if args.plot else ""
        flow_path = stem + "gradient-flow.png"
        if plot_gradient_flow(monitor.history, flow_path):
            print(f"saved the gradient flow to {flow_path}")
        else:
            print("matplotlib is not installed, so no gradient-flow plot was drawn")
    return {"history": history, "test_accuracy": final_accuracy, "model": model}


if __name__ == "__main__":
    main()
