"""`sentiment-rnn data`: a look at the data before a model is trained on it.

Per split: examples and label distribution, length percentiles in tokens, how many texts the
configured `max_length` truncates, out-of-vocabulary rate against the training vocabulary,
empty and duplicate texts, texts shared with train; with a model (`data --model RUN`), the
share of words unknown to that model, as `evaluate` reports it; then one warning line per
problem found.

The token counts come from the token cache (`data/tokens.py`): the entry `train` uses for the
same data and tokenizer settings, which keeps each text's length before truncation and its
`<unk>` count. The texts are still read, for duplicates and texts shared with train.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from sentiment_rnn.config import Config
from sentiment_rnn.data.dataset import Dataset, fingerprint, load_dataset
from sentiment_rnn.data.split import Split
from sentiment_rnn.data.tokens import prepare_tokens
from sentiment_rnn.errors import UserError
from sentiment_rnn.texts import unknown_warning

PERCENTILES = (5, 25, 50, 75, 95, 99)


def _key(text: str) -> str:
    """Texts count as duplicates when equal up to case and whitespace."""
    return " ".join(text.lower().split())


def split_report(
    split: Split, lengths: np.ndarray, unknown: int, max_length: int | None, train_keys: set[str] | None
) -> dict:
    """The figures of one split, from its texts and each text's token count (before truncation)
    and the number of `<unk>` tokens among all of them."""
    lengths = np.asarray(lengths, dtype=np.int64)
    tokens = int(lengths.sum())
    keys = [_key(text) for text in split.texts]
    counts = Counter(split.labels)
    report = {
        "source": split.source,
        "examples": len(split),
        "labels": dict(sorted(counts.items())),
        "skipped_rows": split.skipped,
        "tokens": tokens,
        "length_mean": float(lengths.mean()),
        "length_percentiles": {f"p{p}": float(np.percentile(lengths, p)) for p in PERCENTILES},
        "length_max": int(lengths.max()),
        "truncated": int((lengths > max_length).sum()) if max_length else 0,
        "oov_rate": unknown / max(tokens, 1),
        "empty_texts": sum(1 for n, text in zip(lengths, split.texts, strict=True) if not text.strip() or not n),
        "duplicates": len(keys) - len(set(keys)),
    }
    if train_keys is not None:
        report["shared_with_train"] = len(set(keys) & train_keys)
    return report


UnknownRate = Callable[[Sequence[str]], float]  # texts -> share of their tokens a model lacks


def inspect_data(config: Config, model_unknown_rate: UnknownRate | None = None) -> dict:
    """Every figure for the configured data, and the warnings they raise; with
    `model_unknown_rate` (a trained model's), each split's rate of words unknown to it."""
    config = config.with_absolute_paths()  # as `train` keys its cache entry
    dataset: Dataset = load_dataset(config.data, config.seed)
    tokens = prepare_tokens(config, dataset)
    tokenizer = tokens.tokenizer
    max_length = config.tokenizer.max_length
    train_keys = {_key(text) for text in dataset.train.texts}
    splits = {"train": dataset.train, "dev": dataset.dev, "test": dataset.test}
    reports = {}
    for name, split in splits.items():
        if split is None:
            continue
        cached = getattr(tokens.dataset, name)
        if cached.digest != fingerprint(split.texts, split.labels):  # written to meanwhile
            raise UserError(f"{split.source}: changed while it was being read; run the command again")
        lengths, unknown = tokens.splits[name].counts
        reports[name] = split_report(split, lengths, int(unknown.sum()), max_length,
                                     None if name == "train" else train_keys)
        if model_unknown_rate is not None:
            reports[name]["model_unknown_rate"] = model_unknown_rate(split.texts)
    return {
        "labels": dataset.labels,
        "vocabulary_size": tokenizer.get_vocab_size(),
        "max_length": max_length,
        "truncation": config.tokenizer.truncation,
        "splits": reports,
        "warnings": warnings(reports, max_length),
    }


def warnings(reports: dict, max_length: int | None) -> list[str]:
    """One line per problem found."""
    found = []
    for name, r in reports.items():
        counts = list(r["labels"].values())
        if max(counts) > 1.5 * min(counts):
            found.append(f"{name}: labels are imbalanced {r['labels']}; watch macro-F1, not accuracy")
        if r["skipped_rows"]:
            found.append(f"{name}: {r['skipped_rows']} row(s) skipped for an empty text or label")
        if r["empty_texts"]:
            found.append(f"{name}: {r['empty_texts']} text(s) with no tokens")
        if r["duplicates"]:
            found.append(f"{name}: {r['duplicates']} duplicate text(s) within the split")
        if r.get("shared_with_train"):
            found.append(
                f"{name}: {r['shared_with_train']} text(s) also in train; they inflate {name} figures"
            )
        if max_length and r["truncated"] > 0.05 * r["examples"]:
            share = r["truncated"] / r["examples"]
            found.append(f"{name}: max_length {max_length} truncates {share:.0%} of texts")
        if name != "train" and r["oov_rate"] > 0.05:
            found.append(f"{name}: {r['oov_rate']:.1%} of tokens are out of the train vocabulary")
        rate = r.get("model_unknown_rate")
        if rate is not None and (warning := unknown_warning(rate, name)):
            found.append(warning)
        if r["examples"] < 50:
            found.append(f"{name}: only {r['examples']} examples; figures on it are noisy")
    return found
