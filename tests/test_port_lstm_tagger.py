"""The LSTM part-of-speech tagger of PyTorch's tutorial "Sequence Models and Long Short-Term
Memory Networks" (pytorch/tutorials, beginner_source/nlp/sequence_models_tutorial.py),
written for PyTorch and run on minitorch with only the import lines changed: word embeddings
feed an nn.LSTM whose outputs a Linear layer turns into tag scores, log_softmax makes them
log-probabilities, and NLLLoss with SGD (lr 0.1) trains the model on the tutorial's two
sentences for 300 epochs.

The text between here and "the tests" also runs on PyTorch, its imports swapped; where
PyTorch is installed, both libraries train from the same seed, and since minitorch's
embeddings, LSTM and Linear start from PyTorch's very numbers, their losses must agree.

Changed beyond the imports: the tutorial's top-level script is a function, ``train_tagger``,
that returns the losses of every step and the tags predicted before and after training
(the tutorial prints the tag scores).
"""

import pytest

# ----- the program: the text between here and "the tests" also runs on PyTorch
import minitorch as torch
import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.optim as optim

SENTENCES = [
    ("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("Everybody read that book".split(), ["NN", "V", "DET", "NN"]),
]
TAGS = ["DET", "NN", "V"]


def as_indices(items, index_of):
    """A sentence (or its tags) as the LongTensor of their indices."""
    return torch.tensor([index_of[item] for item in items], dtype=torch.long)


class Tagger(nn.Module):
    """Embeds each word, runs the LSTM over the sentence and scores every tag at each word."""

    def __init__(self, vocabulary_size, embedding_size, hidden_size, tag_count):
        super().__init__()
        self.embed = nn.Embedding(vocabulary_size, embedding_size)
        self.lstm = nn.LSTM(embedding_size, hidden_size)
        self.to_tags = nn.Linear(hidden_size, tag_count)

    def forward(self, words):
        vectors = self.embed(words)
        # a batch of one sentence: (words, 1, embedding_size), time first
        outputs, _ = self.lstm(vectors.view(len(words), 1, -1))
        scores = self.to_tags(outputs.view(len(words), -1))
        return F.log_softmax(scores, dim=1)


def train_tagger(epochs=300, seed=1):
    torch.manual_seed(seed)
    word_index = {}
    for words, _ in SENTENCES:
        for word in words:
            word_index.setdefault(word, len(word_index))
    tag_index = {tag: i for i, tag in enumerate(TAGS)}

    model = Tagger(len(word_index), embedding_size=6, hidden_size=6, tag_count=len(TAGS))
    loss_function = nn.NLLLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)

    def predicted_tags(words):
        with torch.no_grad():
            scores = model(as_indices(words, word_index))
        return [TAGS[int(i)] for i in scores.argmax(dim=1)]

    before = predicted_tags(SENTENCES[0][0])
    losses = []
    for _ in range(epochs):
        for words, tags in SENTENCES:
            model.zero_grad()
            scores = model(as_indices(words, word_index))
            loss = loss_function(scores, as_indices(tags, tag_index))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return {"losses": losses, "before": before, "after": predicted_tags(SENTENCES[0][0]),
            "second": predicted_tags(SENTENCES[1][0])}


# ----- the tests -------------------------------------------------------------------------------

TORCH_IMPORTS = {
    "import minitorch as torch": "import torch",
    "import minitorch.nn as nn": "import torch.nn as nn",
    "import minitorch.nn.functional as F": "import torch.nn.functional as F",
    "import minitorch.optim as optim": "import torch.optim as optim",
}


@pytest.fixture(scope="module")
def on_pytorch():
    """The program above run by PyTorch: the imports swapped."""
    pytest.importorskip("torch")
    from torch_reference import program_on_pytorch

    with program_on_pytorch(__file__, TORCH_IMPORTS, "lstm_tagger_on_pytorch") as module:
        yield vars(module)


@pytest.fixture(scope="module")
def trained():
    return train_tagger()


def test_the_tagger_learns_the_tags_of_the_training_sentences(trained):
    assert trained["after"] == ["DET", "NN", "V", "DET", "NN"]
    assert trained["second"] == ["NN", "V", "DET", "NN"]
    assert trained["before"] != trained["after"]  # it did have something to learn
    losses = trained["losses"]
    assert len(losses) == 600
    assert losses[-1] < losses[0] / 10


def test_the_tagger_trains_as_on_pytorch(trained, on_pytorch):
    theirs = on_pytorch["train_tagger"]()
    assert theirs["before"] == trained["before"] and theirs["after"] == trained["after"]
    difference = max(abs(a - b) for a, b in zip(trained["losses"], theirs["losses"], strict=True))
    assert difference < 1e-4, difference
