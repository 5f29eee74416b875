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


def test_lengths_from_one_line_to_a_few_paragraphs(all_rows):
    lengths = [len(sentences(text)) for text, _ in all_rows]
    paragraphs = [text.count("<br /><br />") + 1 for text, _ in all_rows]
    assert min(lengths) == 1 and max(lengths) >= 20
    assert sum(1 for n in lengths if n <= 2) / len(lengths) > 0.1      # one-liners
    assert sum(1 for n in paragraphs if n >= 3) / len(lengths) > 0.1   # a few paragraphs
    for text, _ in all_rows:
        assert text[-1] in ".!?" or text.endswith("/10"), text


def test_review_noise_like_scraped_text(all_rows):
    """HTML breaks, questions, shouting and all-lowercase reviews all occur."""
    share = lambda test: sum(1 for text, _ in all_rows if test(text)) / len(all_rows)  # noqa: E731
    assert share(lambda t: "<br /><br />" in t) > 0.2
    assert share(lambda t: "?" in t) > 0.05
    assert share(lambda t: re.search(r"\b[A-Z]{4,}\b", t)) > 0.02
    assert share(lambda t: t == t.lower()) > 0.01


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
    # Real negative reviews say "not" more often ("not very good", "not much of a thriller"),
    # and so does this corpus, but not so much that the word gives the label away.
    nots = Counter(label for text, label in all_rows
                   if "not" in WORD_RE.findall(flat(text).lower()))
    assert min(nots["negative"], nots["positive"]) / max(nots.values()) > 0.7


def test_plain_good_and_bad_keep_their_polarity(all_rows):
    # Un-negated "good" should mostly mean positive and "bad" mostly negative,
    # while their negations ("not good", "not bad at all") still occur in the other class,
    # as do concessions in mixed reviews ("The score is good, but ...").
    for word, label in (("good", "positive"), ("bad", "negative")):
        plain = Counter(lab for text, lab in all_rows if has_plain(text, word))
        assert plain[label] / sum(plain.values()) >= 0.65, (word, plain)
        token = Counter(lab for text, lab in all_rows
                        if word in WORD_RE.findall(flat(text).lower()))
        assert token[label] / sum(token.values()) >= 0.55, (word, token)
        other = "negative" if label == "positive" else "positive"
        assert token[other] > 0, (word, token)


def test_held_out_sentences_absent(all_rows):
    for text, _ in all_rows:
        plain = " ".join(re.sub(r"[^a-z0-9]+", " ", flat(text).lower()).split())
        for phrase in EXCLUDED:
            assert phrase not in plain, text


def test_generator_reproduces_files(tmp_path):
    out = tmp_path / "corpus"
    subprocess.run([sys.executable, "scripts/make_corpus.py", "--out", str(out), "--quiet"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300,
                   env={"PYTHONHASHSEED": "random", "PATH": ""})
    for split in SPLITS:
        assert (out / f"{split}.csv").read_bytes() == (DATA / f"{split}.csv").read_bytes(), split


# ------------------------------------------------------------------ the lexicon
sys.path.insert(0, str(ROOT / "scripts"))
from corpus import lexicon  # noqa: E402


@pytest.fixture(scope="module")
def sections():
    return lexicon.read_sections()


def test_lexicon_has_a_few_thousand_entries_balanced(sections):
    size = lexicon.size(sections)
    assert size["positive"] >= 1000 and size["negative"] >= 1000, size
    assert 0.75 < size["positive"] / size["negative"] < 1.33, size
    for name in sections:
        pol = lexicon.polarity(name)
        if pol == "positive":
            twin = name.replace("pos", "neg")
            assert twin in sections, f"[{name}] has no negative twin"
            assert 0.5 < len(sections[name]) / len(sections[twin]) < 2, (name, twin)


def test_lexicon_never_gives_an_entry_both_polarities(sections):
    lexicon.check(sections)
    pos = {e for n, es in sections.items() if lexicon.polarity(n) == "positive" for e in es}
    neg = {e for n, es in sections.items() if lexicon.polarity(n) == "negative" for e in es}
    assert not pos & neg


def test_lexicon_check_refuses_a_conflict(tmp_path):
    path = tmp_path / "lexicon.txt"
    path.write_text("[adj.pos]\ngood, fine\n[adj.neg]\nbad, fine\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'fine' is in \\[adj.pos\\] and in \\[adj.neg\\]"):
        lexicon.check(lexicon.read_sections(path))


@pytest.mark.parametrize("phrase, label", [
    ("waste of time", "negative"), ("bored to tears", "negative"),
    ("edge of my seat", "positive"), ("not my cup of tea", "negative"),
    ("delightful surprise", "positive"),
])
def test_idioms_from_the_issue_are_in_the_lexicon_and_the_corpus(sections, all_rows, phrase,
                                                                  label):
    listed = [n for n, es in sections.items() if any(phrase in e for e in es)]
    assert listed and all(lexicon.polarity(n) == label for n in listed), (phrase, listed)
    found = Counter(lab for text, lab in all_rows if phrase in flat(text).lower())
    assert found[label] >= 5 and found[label] > 3 * found.get(
        "negative" if label == "positive" else "positive", 0), (phrase, found)


def test_most_of_the_lexicon_reaches_the_training_split(sections, splits):
    """A lexicon entry the model never sees teaches it nothing: most single-word entries occur
    in train.csv at least twice (so they get their own id with min_freq 2)."""
    counts = Counter(w for text, _ in splits["train"] for w in WORD_RE.findall(flat(text).lower()))
    single = [e for n, es in sections.items() if lexicon.polarity(n) for e in es
              if re.fullmatch(r"[a-z]+", e)]
    seen = sum(1 for e in single if counts[e] >= 2)
    assert seen / len(single) > 0.85, (seen, len(single))


def test_third_person_inflection():
    assert [lexicon.third_person(v) for v in ("fall flat", "fly", "go nowhere", "dazzle",
                                              "crash")] == [
        "falls flat", "flies", "goes nowhere", "dazzles", "crashes"]
