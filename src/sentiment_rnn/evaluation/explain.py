"""Why the model said what it said: the trajectory over the tokens, and each token's importance.

Both are over the tokens the model reads (the run's tokenizer, `max_length` and `truncation`).

- Trajectory: after each token t, the class probabilities the model would give if the text ended
  there. One direction: one encoder pass; the pooling over the prefix is cumulative (`last` is the
  output at t, `mean` a running mean, `max` a running max) and the classifier head is applied at
  every t. Bidirectional: the backward direction reads from the end, so each prefix is a separate
  run of the model (exact, batched; O(T^2) token steps). Above `MAX_EXACT` tokens those runs are
  made at a stride, plus every token of the window around the largest flip.
- Importance (occlusion): p(label | text) - p(label | text without the token), label being the
  model's answer. Above `MAX_EXACT` tokens only the window around the largest flip is occluded.
- Baseline (bag of words): the same occlusion of its tokens, exact; only the n-grams around the
  removed token change, so it is computed from those (O(T)), not by re-reading the text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import torch

from sentiment_rnn.baseline.features import TOKEN_PATTERN, stop_word_list
from sentiment_rnn.data.tokenizer import UNK, UNK_ID, encode, normalizer, truncate
from sentiment_rnn.errors import UserError
from sentiment_rnn.rnn.model import predict_logits
from sentiment_rnn.rnn.run import Run, load_run

EXPLANATION_FORMAT_VERSION = 1  # of the --format json output
MAX_EXACT = 512  # tokens read: up to this many, every prefix and every occlusion is computed
STRIDED_POINTS = 256  # longer bidirectional texts: prefix runs spread evenly over the text
FOCUS = 128  # longer texts: tokens around the largest flip that are computed exactly
TOKEN_BUDGET = 2**17  # token steps per batch of prefix or occlusion runs (bounds memory)


@dataclass
class Explanation:
    """Per-token lists are in reading order; None where a value was not computed."""

    text: str
    model: str
    labels: list[str]
    label: str
    probabilities: list[float]  # (C,) for the whole text, as `predict` gives them
    tokens: list[str]  # vocabulary tokens, `<unk>` for unknown words
    words: list[str]  # the normalised words those tokens came from
    trajectory: list[list[float] | None]  # (T, C)
    trajectory_method: str  # "prefix_pooling" | "prefix_runs"
    importance: list[float | None]  # (T,) occlusion: delta p(label)
    flips: list[dict]
    truncation: dict
    notes: list[str] = field(default_factory=list)
    focus: int = 0  # position of the largest flip (else largest step): tables and plots centre on it
    spans: list[tuple[int, int]] = field(default_factory=list, repr=False)  # in normalised text
    baseline: dict | None = None

    def as_dict(self) -> dict:
        """The `--format json` shape (docs/explain.md)."""
        flip_to = {flip["position"]: flip["to"] for flip in self.flips}
        rows = [
            {
                "position": t, "token": token, "word": word, "unknown": token == UNK,
                "probabilities": None if probs is None else dict(zip(self.labels, probs, strict=True)),
                "importance": importance, "flip_to": flip_to.get(t),
            }
            for t, (token, word, probs, importance) in enumerate(
                zip(self.tokens, self.words, self.trajectory, self.importance, strict=True)
            )
        ]
        return {
            "format_version": EXPLANATION_FORMAT_VERSION, "model": self.model, "text": self.text,
            "labels": self.labels, "label": self.label,
            "probabilities": dict(zip(self.labels, self.probabilities, strict=True)),
            "trajectory_method": self.trajectory_method, "importance_method": "occlusion",
            "importance_of": self.label, "truncation": self.truncation,
            "unknown_words": [w for w, t in zip(self.words, self.tokens, strict=True) if t == UNK],
            "notes": self.notes, "focus": self.focus, "tokens": rows, "flips": self.flips, "baseline": self.baseline,
        }


def explain(text: str, model: Path | None = None, baseline: Path | None = None) -> Explanation:
    """The whole `explain` command: load the run(s), explain `text`."""
    hint = "explain needs an RNN run as --model (pass the baseline beside it with --baseline DIR)"
    result = explain_run(load_run(model, hint=hint), text)
    if baseline is not None:
        from sentiment_rnn.baseline.model import BaselineModel

        other = BaselineModel.from_dir(baseline)
        if other.labels != result.labels:
            raise UserError(f"{baseline}: labels {other.labels} differ from the model's {result.labels}")
        result.baseline = explain_baseline(other, text, result)
    return result


def read_tokens(run: Run, text: str) -> tuple[list[int], list[str], list[tuple[int, int]], dict]:
    """Token ids, normalised words and their spans, as the model reads them; truncation facts."""
    if not text.strip():
        raise UserError("the text is empty; give at least one word to explain")
    tokenizer, config = run.tokenizer, run.config.tokenizer
    words = tokenizer.pre_tokenizer.pre_tokenize_str(tokenizer.normalizer.normalize_str(text))
    ids = encode(tokenizer, [text])[0] if words else []  # the one encoding path (long texts too)
    if not ids:
        raise UserError("the text has no tokens the model can read (only markup or spaces?)")
    assert len(ids) == len(words), "a word-level tokenizer gives one token per word"
    kept = list(range(len(ids)))
    if config.max_length is not None:
        kept = truncate(kept, config.max_length, config.truncation)
    if all(ids[k] == UNK_ID for k in kept):
        shown = ", ".join(words[k][0] for k in kept[:5]) + (", ..." if len(kept) > 5 else "")
        raise UserError(f"none of the words read ({shown}) is in the model's vocabulary; "
                        "explain needs at least one known word")
    truncation = {"tokens_in_text": len(ids), "tokens_read": len(kept),
                  "dropped": len(ids) - len(kept), "max_length": config.max_length,
                  "policy": config.truncation, "kept_ranges": runs_of(kept)}
    return [ids[k] for k in kept], [words[k][0] for k in kept], [words[k][1] for k in kept], truncation


def runs_of(positions: list[int]) -> list[list[int]]:
    """[start, stop) ranges of consecutive positions: [0, 1, 2, 7, 8] -> [[0, 3], [7, 9]]."""
    ranges = [[positions[0], positions[0] + 1]]
    for k in positions[1:]:
        if k == ranges[-1][1]:
            ranges[-1][1] = k + 1
        else:
            ranges.append([k, k + 1])
    return ranges


def run_many(model, sequences: list[list[int]]) -> torch.Tensor:
    """Probabilities (N, C) of several token sequences, batched within TOKEN_BUDGET."""
    device = next(model.parameters()).device
    batch_size = max(1, TOKEN_BUDGET // max(len(seq) for seq in sequences))
    return predict_logits(model, sequences, batch_size, device).softmax(dim=-1)


def prefix_runs(model, ids: list[int], positions: list[int]) -> torch.Tensor:
    """Probabilities (P, C) of the model run on ids[: t + 1] for each t in `positions`."""
    return run_many(model, [ids[: t + 1] for t in positions])


def occlusion(model, ids: list[int], positions: list[int], label: int, p_full: float) -> torch.Tensor:
    """p(label | ids) - p(label | ids without token t), (P,); the empty text reads as `<unk>`."""
    occluded = [ids[:t] + ids[t + 1 :] or [UNK_ID] for t in positions]
    return p_full - run_many(model, occluded)[:, label]


def find_flips(positions: list[int], probs: torch.Tensor, labels: list[str], words: list[str]) -> list[dict]:
    """Where the argmax class changes between consecutive evaluated points. probs: (P, C)."""
    winners = probs.argmax(dim=-1).tolist()
    return [
        {"position": t, "token": words[t], "previous_point": positions[k - 1],
         "from": labels[winners[k - 1]], "to": labels[winners[k]]}
        for k, t in enumerate(positions) if k > 0 and winners[k] != winners[k - 1]
    ]


def largest_change(positions: list[int], probs: torch.Tensor, label: int) -> int:
    """The position of the largest flip (largest step in p(label)); else the largest step."""
    if len(positions) < 2:
        return positions[0]
    steps = (probs[1:, label] - probs[:-1, label]).abs()  # (P - 1,)
    winners = probs.argmax(dim=-1)
    flipped = winners[1:] != winners[:-1]
    if bool(flipped.any()):
        steps = torch.where(flipped, steps, torch.full_like(steps, -1.0))
    return positions[int(steps.argmax()) + 1]


def focus_window(length: int, center: int, size: int) -> tuple[int, int]:
    """[start, stop) of at most `size` positions around `center`, within [0, length)."""
    start = min(max(0, center - size // 2), max(0, length - size))
    return start, min(length, start + size)


def explain_run(run: Run, text: str) -> Explanation:
    """Trajectory, importance and flips for one text and one RNN run."""
    model, labels = run.model.eval(), run.labels
    ids, words, spans, truncation = read_tokens(run, text)
    length, notes = len(ids), []
    full = run_many(model, [ids])[0]  # (C,) exactly what `predict` computes
    label = int(full.argmax())
    bidirectional = model.config.bidirectional
    if not bidirectional:
        positions, probs = list(range(length)), model.prefix_logits(ids).softmax(dim=-1).cpu()
    else:
        stride = 1 if length <= MAX_EXACT else math.ceil(length / STRIDED_POINTS)
        positions = sorted(set(range(stride - 1, length, stride)) | {length - 1})
        probs = prefix_runs(model, ids, positions)
    center = largest_change(positions, probs, label)
    start, stop = focus_window(length, center, FOCUS) if length > MAX_EXACT else (0, length)
    if bidirectional and length > MAX_EXACT:
        extra = sorted(set(range(start, stop)) - set(positions))
        if extra:
            positions = positions + extra
            probs = torch.cat([probs, prefix_runs(model, ids, extra)])  # (P, C)
            order = sorted(range(len(positions)), key=positions.__getitem__)
            positions, probs = [positions[k] for k in order], probs[order]
        notes.append(f"bidirectional, {length:,} tokens: prefix runs every {stride} tokens, "
                     f"and at every token of {start}-{stop - 1}")
    importance: list[float | None] = [None] * length
    deltas = occlusion(model, ids, list(range(start, stop)), label, float(full[label]))
    importance[start:stop] = deltas.tolist()
    if (start, stop) != (0, length):
        notes.append(f"{length:,} tokens: importance computed for tokens {start}-{stop - 1} "
                     "(around the largest flip) only")
    trajectory: list[list[float] | None] = [None] * length
    for t, row in zip(positions, probs.tolist(), strict=True):
        trajectory[t] = row
    return Explanation(
        text, str(run.path), labels, labels[label], full.tolist(),
        [run.tokenizer.id_to_token(i) for i in ids], words, trajectory,
        "prefix_runs" if bidirectional else "prefix_pooling", importance,
        find_flips(positions, probs, labels, words), truncation, notes, center, spans,
    )


def display_window(result: Explanation, size: int) -> tuple[int, int]:
    """[start, stop) of at most `size` tokens around the largest flip, for tables and plots."""
    return focus_window(len(result.tokens), result.focus, size)


def explain_baseline(model, text: str, rnn: Explanation) -> dict:
    """Occlusion of each of a BaselineModel's tokens, as delta p(the RNN's label).

    Each baseline token is matched to the RNN token that starts at the same place in the
    normalised text (`rnn_position`; null when the RNN has no such token or did not read it).
    """
    settings = model.settings
    normalized = normalizer(settings["lowercase"]).normalize_str(text)
    matches = list(re.finditer(TOKEN_PATTERN, normalized))
    stop = stop_word_list(settings["stop_words"])
    content = [k for k, match in enumerate(matches) if match.group() not in stop]
    probs = model.occlusion_proba([matches[k].group() for k in content])  # (1 + W, C): the text, then without each word
    target = rnn.labels.index(rnn.label)
    importance = dict(zip(content, (probs[0, target] - probs[1:, target]).tolist(), strict=True))
    by_start = {span[0]: t for t, span in enumerate(rnn.spans)}
    full = model.predict_proba([text])[0]  # (C,)
    return {
        "model": str(model.path), "kind": model.kind, "label": model.labels[int(full.argmax())],
        "probabilities": dict(zip(model.labels, full.tolist(), strict=True)),
        "importance_method": "occlusion", "importance_of": rnn.label,
        "tokens": [
            {"token": match.group(), "importance": importance.get(k, 0.0),
             "stop_word": k not in importance, "rnn_position": by_start.get(match.start())}
            for k, match in enumerate(matches)
        ],
    }
