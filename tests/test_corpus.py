"""Checks on the bundled review corpus in data/ (standard library + pytest only)."""
import csv
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SPLITS = ("train", "dev", "test")
LABELS = {"negative", "positive"}
EXCLUDED = ("this movie is not good", "this movie is not bad at all",
            "this movie is good", "this movie is bad", "this movie is not bad",
            "this movie is great")
CUE_RE = re.compile(
    r"\b(?:not|never|hardly|no|nothing|but|although|though|despite|yet|however)\b|n't\b")
WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
NEGATORS = {"not", "never", "hardly", "no"}


def load(split):
    with open(DATA / f"{split}.csv", encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def splits():
    data = {}
    for split in SPLITS:
        rows = load(split)
        assert rows[0] == ["text", "label"], f"{split}.csv header"
        data[split] = [tuple(row) for row in rows[1:]]
    return data


@pytest.fixture(scope="module")
def all_rows(splits):
    return [row for split in SPLITS for row in splits[split]]


def flat(text):
    return text.replace("<br />", " ")


def key(text):
    return " ".join(flat(text).lower().split())


def sentences(text):
    return [s for s in re.split(r"[.!?](?:\s|$)", flat(text)) if s.strip()]


def has_plain(text, word):
    """True if `word` occurs with no negator (not, never, hardly, no, *n't) among the
    three words before it in the same sentence."""
    for sentence in sentences(text):
        toks = WORD_RE.findall(sentence.lower())
        for i, tok in enumerate(toks):
            if tok == word and not any(w in NEGATORS or w.endswith("n't")
                                       for w in toks[max(0, i - 3):i]):
                return True
    return False


def test_rows_well_formed(all_rows):
    for row in all_rows:
        assert len(row) == 2
        text, label = row
        assert label in LABELS
        assert text.strip() == text and text


def test_size_and_balance(splits, all_rows):
    assert len(all_rows) >= 2000
    for split, rows in splits.items():
        counts = Counter(label for _, label in rows)
        assert counts["negative"] == counts["positive"] > 0, split
    counts = Counter(label for _, label in all_rows)
    assert counts["negative"] == counts["positive"]


def test_split_proportions(splits, all_rows):
    total = len(all_rows)
    assert abs(len(splits["train"]) / total - 0.8) < 0.01
    assert abs(len(splits["dev"]) / total - 0.1) < 0.01
    assert abs(len(splits["test"]) / total - 0.1) < 0.01


def test_rows_are_shuffled(splits):
    labels = [label for _, label in splits["train"]]
    changes = sum(1 for a, b in zip(labels, labels[1:]) if a != b)
    assert changes > len(labels) // 4


def test_one_to_four_sentences(all_rows):
    for text, _ in all_rows:
        assert 1 <= len(sentences(text)) <= 4, text
        assert text[0].isupper() and text[-1] in ".!", text


def test_no_duplicates_within_or_across_splits(splits):
    seen = {}
    for split in SPLITS:
        for text, _ in splits[split]:
            k = key(text)
            assert k not in seen, f"duplicate in {split} and {seen.get(k)}: {text}"
            seen[k] = split


def test_negation_and_contrast_share(all_rows):
    cued = [label for text, label in all_rows if CUE_RE.search(flat(text).lower())]
    assert len(cued) / len(all_rows) >= 0.35
    counts = Counter(cued)  # cues must not give the label away
    assert min(counts.values()) / max(counts.values()) > 0.8
    nots = Counter(label for text, label in all_rows
                   if "not" in WORD_RE.findall(flat(text).lower()))
    assert min(nots["negative"], nots["positive"]) / max(nots.values()) > 0.8


def test_plain_good_and_bad_keep_their_polarity(all_rows):
    # Un-negated "good" should mostly mean positive and "bad" mostly negative,
    # while their negations ("not good", "not bad at all") still occur in the other class.
    for word, label in (("good", "positive"), ("bad", "negative")):
        plain = Counter(lab for text, lab in all_rows if has_plain(text, word))
        assert plain[label] / sum(plain.values()) >= 0.65, (word, plain)
        token = Counter(lab for text, lab in all_rows
                        if word in WORD_RE.findall(flat(text).lower()))
        assert token[label] / sum(token.values()) >= 0.65, (word, token)
        other = "negative" if label == "positive" else "positive"
        assert token[other] > 0, (word, token)


def test_held_out_sentences_absent(all_rows):
    for text, _ in all_rows:
        plain = " ".join(re.sub(r"[^a-z0-9]+", " ", flat(text).lower()).split())
        for phrase in EXCLUDED:
            assert phrase not in plain, text


def test_generator_reproduces_files(tmp_path):
    out = tmp_path / "corpus"
    subprocess.run([sys.executable, "scripts/make_corpus.py", "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True, timeout=60)
    for split in SPLITS:
        assert (out / f"{split}.csv").read_bytes() == (DATA / f"{split}.csv").read_bytes(), split
