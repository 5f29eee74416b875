"""Generate the bundled sentiment-rnn corpus of original movie reviews.

Every review is assembled from the phrase banks, the lexicon (scripts/corpus/lexicon.txt)
and the sentence shapes of the `corpus` package next to this script; no text comes from an
existing dataset. Each sentence shape belongs to one label (or is neutral filler), and each
review's verdict and most of its evaluative sentences carry its label, so labels are correct
by construction. Reviews run from one line to a few paragraphs: short ones from the first
version's templates (plain words, negation and contrast in equal share for both labels), and
medium and long ones with plot summaries, cast and production notes, mixed remarks, questions,
comparisons, hedges, sarcasm and ratings.

The generator is deterministic: the same --seed and --n-per-label always write the same
bytes. Standard library only.

    python scripts/make_corpus.py                 # rewrites data/*.csv
    python scripts/make_corpus.py --out /tmp/x    # somewhere else
"""
import argparse
import csv
import random
from pathlib import Path

from corpus import lexicon
from corpus.reviews import make_review
from corpus.stats import summarize
from corpus.text import dedup_key, is_excluded

LABELS = ("negative", "positive")
DEFAULT_SEED = 20240611
DEFAULT_N_PER_LABEL = 6000
SPLITS = (("train", 0.8), ("dev", 0.1), ("test", 0.1))


def generate(seed, n_per_label):
    """{label: [text, ...]} and {text: length class}; unique texts, none excluded."""
    rng = random.Random(seed)
    seen, reviews, kinds = set(), {label: [] for label in LABELS}, {}
    for label in LABELS:
        attempts = 0
        while len(reviews[label]) < n_per_label:
            attempts += 1
            if attempts > 100 * n_per_label:
                raise RuntimeError(f"could not make {n_per_label} unique {label} reviews")
            text, kind = make_review(rng, label)
            key = dedup_key(text)
            if key in seen or is_excluded(text):
                continue
            seen.add(key)
            reviews[label].append(text)
            kinds[text] = kind
    return reviews, kinds


def split(reviews, seed):
    rng = random.Random(seed + 1)
    parts = {name: [] for name, _ in SPLITS}
    for label in LABELS:
        items = list(reviews[label])
        rng.shuffle(items)
        n_dev = round(len(items) * SPLITS[1][1])
        n_test = round(len(items) * SPLITS[2][1])
        parts["test"] += [(t, label) for t in items[:n_test]]
        parts["dev"] += [(t, label) for t in items[n_test:n_test + n_dev]]
        parts["train"] += [(t, label) for t in items[n_test + n_dev:]]
    for rows in parts.values():
        rng.shuffle(rows)
    return parts


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("text", "label"))
        writer.writerows(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "data")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--n-per-label", type=int, default=DEFAULT_N_PER_LABEL)
    parser.add_argument("--quiet", action="store_true", help="no statistics")
    args = parser.parse_args()
    reviews, kinds = generate(args.seed, args.n_per_label)
    parts = split(reviews, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, _ in SPLITS:
        write_csv(args.out / f"{name}.csv", parts[name])
    print(f"wrote {', '.join(name + '.csv' for name, _ in SPLITS)} to {args.out}")
    if not args.quiet:
        summarize(parts, kinds, lexicon.size())


if __name__ == "__main__":
    main()
