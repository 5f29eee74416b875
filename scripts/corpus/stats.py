"""The statistics make_corpus.py prints (and data/README.md quotes)."""
import re

from corpus.text import CUE_RE, NEGATION_WINDOW, flatten, plain_uses, split_sentences, words

LABELS = ("negative", "positive")
PLAIN_WORDS = ("good", "bad", "great", "awful")


def _counts(rows, test):
    return [sum(1 for text, label in rows if label == lab and test(text)) for lab in LABELS]


def summarize(parts, kinds, lexicon_size):
    rows = [row for group in parts.values() for row in group]
    print(f"{'split':<6} {'negative':>9} {'positive':>9} {'total':>6}")
    for name, group in list(parts.items()) + [("all", rows)]:
        counts = [sum(1 for _, label in group if label == lab) for lab in LABELS]
        print(f"{name:<6} {counts[0]:>9} {counts[1]:>9} {len(group):>6}")
    by_kind = {}
    for text, _ in rows:
        by_kind[kinds[text]] = by_kind.get(kinds[text], 0) + 1
    print("length classes: " + ", ".join(f"{k} {v / len(rows):.1%}" for k, v in
                                          sorted(by_kind.items())))
    n_sent = [len(split_sentences(text)) for text, _ in rows]
    n_words = [len(words(text)) for text, _ in rows]
    n_par = [text.count("<br /><br />") + 1 for text, _ in rows]
    for what, values in (("sentences", n_sent), ("words", n_words), ("paragraphs", n_par)):
        mean = sum(values) / len(values)
        print(f"{what} per review: min {min(values)}, mean {mean:.2f}, max {max(values)}")
    print(f"total words: {sum(n_words):,}; CSV characters: {sum(len(t) for t, _ in rows):,}")
    vocab = {}
    for text, _ in rows:
        for w in words(text):
            vocab[w] = vocab.get(w, 0) + 1
    print(f"vocabulary (lowercased word types): {len(vocab):,}, "
          f"seen at least twice: {sum(1 for c in vocab.values() if c >= 2):,}")
    print(f"lexicon entries: {lexicon_size['positive']:,} positive, "
          f"{lexicon_size['negative']:,} negative")
    shares = []
    for lab in LABELS + (None,):
        group = [text for text, label in rows if lab in (None, label)]
        cued = sum(1 for text in group if CUE_RE.search(flatten(text).lower()))
        shares.append(f"{cued / len(group):.1%}")
    print(f"negation/contrast cue share (regex): {shares[2]} "
          f"(negative {shares[0]}, positive {shares[1]})")
    cues = [f"{w} {'/'.join(map(str, _counts(rows, lambda t, w=w: w in words(t))))}"
            for w in ("not", "never", "but") + PLAIN_WORDS]
    print("reviews containing (negative/positive): " + ", ".join(cues))
    plain = []
    for word in PLAIN_WORDS:
        counts = _counts(rows, lambda t, w=word: plain_uses(t, w))
        plain.append(f"{word} {counts[0]}/{counts[1]} ({counts[1] / max(1, sum(counts)):.0%})")
    print(f"reviews with the plain word, no negator in the {NEGATION_WINDOW} words before it "
          "(negative/positive, share positive): " + ", ".join(plain))
    br = sum(1 for text, _ in rows if "<br />" in text)
    caps = sum(1 for text, _ in rows if re.search(r"\b[A-Z]{4,}\b", text))
    print(f"with an HTML line break: {br / len(rows):.1%}; with a word in capitals: "
          f"{caps / len(rows):.1%}; questions: "
          f"{sum(1 for t, _ in rows if '?' in t) / len(rows):.1%}")
