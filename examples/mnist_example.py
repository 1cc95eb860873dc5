"""Train a multilayer perceptron to classify handwritten digits with minitorch.

    .venv/bin/python examples/mnist_example.py --dataset digits    # scikit-learn's 8x8 digits
    .venv/bin/python examples/mnist_example.py --data-dir DIR      # MNIST-format IDX files
    .venv/bin/python examples/mnist_example.py                     # MNIST from OpenML, or
                                                                   # offline the 8x8 digits

The default network is inputs-256-128-classes with ReLU and dropout 0.2 after each hidden
layer, trained by Adam (learning rate 1e-3, decaying along a cosine to 0) for 15 epochs of
batches of 64. Prints one line per epoch (loss, train and test accuracy, seconds) and the
final test accuracy.

The extras, each one option: ``--plot`` draws the loss and accuracy curves (with
matplotlib), ``--save`` writes a checkpoint of the model and the optimizer, and
``--diagnostics`` prints per-layer gradient and activation statistics every epoch.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from common import (
    NO_MATPLOTLIB,
    History,
    add_data_arguments,
    build_mlp,
    evaluate,
    has_matplotlib,
    load_data,
    make_optimizer,
    parse_with_training_arguments,
    plot_history,
    probability,
    stdout_is_terminal,
    train_epoch,
    widths,
)

import minitorch
from minitorch import nn, optim
from minitorch.data import DataLoader, TensorDataset
from minitorch.diagnostics import TrainingMonitor, plot_gradient_flow

# ----- the model ------------------------------------------------------------------------------


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


# ----- training -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the example; returns the per-epoch history, the final test accuracy and the model."""
    args = parse_args(argv)
    minitorch.manual_seed(args.seed)
    minitorch.set_num_threads(args.threads)
    data = load_data(args)
    model = build_model(data.num_features, data.num_classes, args.hidden, args.dropout, args.model)
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr)
    # Cosine decay: large steps early, ever finer ones as training settles.
    scheduler = (
        optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
        if args.schedule == "cosine"
        else None
    )
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=args.batch_size,
                        shuffle=True, seed=args.seed)
    monitor = TrainingMonitor(model) if args.diagnostics else None
    history = History()
    for _ in range(args.epochs):
        loss, train_accuracy, seconds = train_epoch(model, loader, optimizer, stdout_is_terminal())
        if scheduler is not None:
            scheduler.step()
        test_accuracy = evaluate(model, data.x_test, data.y_test)
        history.record(args.epochs, loss, train_accuracy, test_accuracy, seconds)
        if monitor is not None:
            monitor.report()
    print(f"final test accuracy: {history.test_accuracy[-1]:.4f}")
    save_extras(args, model, optimizer, history, monitor)
    return {"history": history, "test_accuracy": history.test_accuracy[-1], "model": model}


# ----- extras: checkpoint and pictures --------------------------------------------------------


def save_extras(
    args: argparse.Namespace,
    model: nn.Module,
    optimizer: optim.Optimizer,
    history: History,
    monitor: TrainingMonitor | None,
) -> None:
    """Write what --save, --plot and --diagnostics asked for, saying where each went."""
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


# ----- command line ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--model", choices=sorted(MODELS), default="mlp")
    parser.add_argument("--hidden", type=widths, default=(256, 128),
                        help="hidden layer widths (default 256,128)")
    parser.add_argument("--dropout", type=probability, default=0.2,
                        help="dropout after each hidden layer (default 0.2; 0 for none)")
    parser.add_argument("--schedule", choices=["cosine", "constant"], default="cosine",
                        help="learning rate over the epochs: cosine decay to 0 (default) or fixed")
    parser.add_argument("--save", metavar="PATH", help="write a checkpoint here after training")
    parser.add_argument(
        "--diagnostics",
        action="store_true",
        help="print per-layer gradient norms, activation statistics and dead ReLUs each epoch, "
        "and draw the gradient flow to gradient-flow.png (beside the --plot file if given)",
    )
    args = parse_with_training_arguments(parser, argv, epochs=15, batch_size=64, adam_lr=1e-3)
    if args.diagnostics and not args.plot and not has_matplotlib():
        print(NO_MATPLOTLIB, flush=True)  # said before training, as for --plot
    return args


if __name__ == "__main__":
    main()
