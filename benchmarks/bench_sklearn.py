"""scikit-learn MLPClassifier trained one epoch per ``partial_fit`` call.

By default it gets the same float32 arrays as the other workers and, like them, computes in
float32. ``--dtype float64`` gives it the data as float64 instead, the dtype scikit-learn's
own loaders and ``pixels / 255.0`` produce, in which it also computes.
"""

from __future__ import annotations

import warnings

import numpy as np
from bench_common import (
    ADAM_BETAS,
    ADAM_EPS,
    NETWORKS,
    NUM_CLASSES,
    SGD_MOMENTUM,
    MLPSpec,
    emit_result,
    load_train_data,
    measure_epochs,
    worker_parser,
)
from sklearn.neural_network import MLPClassifier


def make_classifier(spec: MLPSpec, seed: int) -> MLPClassifier:
    """Same network, batch, loss and optimizer as the other workers; no L2 penalty."""
    return MLPClassifier(
        hidden_layer_sizes=spec.hidden_sizes,
        activation="relu",
        solver=spec.optimizer,
        alpha=0.0,
        batch_size=spec.batch_size,
        learning_rate="constant",
        learning_rate_init=spec.learning_rate,
        momentum=SGD_MOMENTUM,
        nesterovs_momentum=False,
        beta_1=ADAM_BETAS[0],
        beta_2=ADAM_BETAS[1],
        epsilon=ADAM_EPS,
        shuffle=True,
        random_state=seed,
    )


def main() -> None:
    parser = worker_parser("One-epoch MLP timing, scikit-learn MLPClassifier.")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    args = parser.parse_args()
    spec = MLPSpec(NETWORKS[args.net], args.opt)
    images, labels, source = load_train_data(args.samples, args.seed)
    images = images.astype(args.dtype, copy=False)  # before timing: the user's data is given
    classifier = make_classifier(spec, args.seed)
    warnings.simplefilter("ignore")
    # The first call (with classes=) builds the network; doing it on a few batches doubles
    # as the warm-up, so every timed call below is exactly one epoch over all samples.
    warmup_samples = max(1, args.warmup_steps) * spec.batch_size
    classifier.partial_fit(
        images[:warmup_samples], labels[:warmup_samples], classes=np.arange(NUM_CLASSES)
    )

    def run_epoch() -> float:
        classifier.partial_fit(images, labels)
        return float(classifier.loss_)

    emit_result(measure_epochs(run_epoch, args.epochs), args, source)


if __name__ == "__main__":
    main()
