"""Whole reviews: short ones from the first version's templates, and medium and long ones
built from the lexicon's sentence shapes, neutral filler and a closing verdict, with the
noise of scraped review text (HTML line breaks, shouting, missing apostrophes, typos).

Each review's label is the label of its verdict and of most of its evaluative sentences.
Mixed reviews add remarks from the other side about parts of the film (CONCESSION shapes),
never more of them than of their own side.
"""
import re

from corpus import filler, lexicon, shapes
from corpus.banks import BANKS, SINGULAR_ASPECTS
from corpus.short import make_review as make_short_review
from corpus.text import Slots, render, weight_common_first

LEXICON = lexicon.banks()
BANKS.update(LEXICON)
BANKS["cadjpos"], BANKS["cadjneg"] = LEXICON["adjpos"], LEXICON["adjneg"]  # picked evenly
for _bank in LEXICON:
    weight_common_first(_bank)
BANKS.update(filler.BANKS)
BANKS.update(shapes.SLOTS)
BANKS["sasp"] = SINGULAR_ASPECTS
FILLER = {"plot": filler.PLOT, "production": filler.PRODUCTION, "personal": filler.PERSONAL}
LENGTHS = {"short": 20, "single": 25, "medium": 27, "long": 28}   # review length classes, weights
TYPOS = (("definitely", "definately"), ("disappointing", "dissapointing"),
         ("a lot", "alot"), ("really", "realy"), ("believable", "beleivable"),
         ("recommend", "reccomend"), ("separate", "seperate"), ("it's", "its"),
         ("there", "their"), ("you're", "your"), ("than", "then"), ("watched", "watched"))


LOWER_AFTER_PREFIX = {
    "It", "It's", "This", "The", "What", "A", "An", "Just", "Pure", "Simply", "Honestly,",
    "Frankly,", "In", "Two", "Call", "Lots", "Plenty", "There", "There's", "Every", "Everything",
    "All", "From", "Scene", "Not", "Far", "Hardly", "My", "We", "Is", "Was", "Did", "Would",
    "Who", "Why", "How", "Go", "See", "Save", "Skip", "Avoid", "Don't", "Stay", "Count",
    "Believe", "You", "Nothing", "None", "Nobody", "Even", "One", "Zero", "Never", "Highly",
    "Thumbs", "Hard", "Pass", "Enough", "Lesson", "That's", "They", "Trust"}


def other(label):
    return "negative" if label == "positive" else "positive"


def own_sentence(rng, label, shared, families=None):
    """One sentence (or a question and its answer) that says what `label` says."""
    if families is None:
        names = list(shapes.OWN)
        family = rng.choices(names, weights=[shapes.OWN[n] for n in names])[0]
    else:
        family = rng.choice(families)
    bank = shapes.ONLY[label] if family == "only" else shapes.FAMILIES[family]
    return render(shapes.expand(rng.choice(bank), label), Slots(rng, shared))


def concession(rng, label, shared):
    """A remark from the other side, about one part of the film."""
    return render(shapes.expand(rng.choice(shapes.CONCESSION), other(label)), Slots(rng, shared))


def verdict(rng, label, shared):
    sentence = own_sentence(rng, label, shared, shapes.VERDICT_FAMILIES)
    prefix = rng.choice(shapes.VERDICT_PREFIXES)
    if prefix and sentence.split(" ", 1)[0] in LOWER_AFTER_PREFIX:
        sentence = sentence[0].lower() + sentence[1:]
    return prefix + sentence


def neutral(rng, shared, kind=None):
    kind = kind or rng.choices(list(FILLER), weights=(6, 3, 2))[0]
    return render(rng.choice(FILLER[kind]), Slots(rng, shared))


def evaluative(rng, label, shared, n, mixed):
    """n evaluative sentences, each a concession with probability `mixed`, but always fewer
    concessions than own-side sentences."""
    sides = [rng.random() < mixed for _ in range(n)]
    while sides and 2 * sum(sides) >= len(sides):
        sides[sides.index(True)] = False
    return [concession(rng, label, shared) if side else own_sentence(rng, label, shared)
            for side in sides]


def medium_review(rng, label, shared):
    mixed = rng.choice((0.0, 0.0, 0.2, 0.35))
    sentences = []
    if rng.random() < 0.35:
        sentences.append(neutral(rng, shared, "personal"))
    sentences += [neutral(rng, shared, "plot") for _ in range(rng.randint(0, 3))]
    sentences += evaluative(rng, label, shared, rng.randint(2, 5), mixed)
    if rng.random() < 0.6:
        sentences.append(verdict(rng, label, shared))
    cut = rng.randrange(1, len(sentences)) if rng.random() < 0.3 else None
    return [sentences[:cut], sentences[cut:]] if cut else [sentences]


def long_review(rng, label, shared):
    mixed = rng.choice((0.0, 0.2, 0.3, 0.4))
    first = [neutral(rng, shared, "personal")] if rng.random() < 0.5 else []
    first += [neutral(rng, shared, "plot") for _ in range(rng.randint(2, 6))]
    paragraphs = [first]
    for _ in range(rng.randint(1, 4)):
        n = rng.randint(2, 6)
        n_eval = sum(rng.random() < 0.45 for _ in range(n))
        body = evaluative(rng, label, shared, n_eval, mixed)
        body += [neutral(rng, shared) for _ in range(n - n_eval)]
        rng.shuffle(body)
        paragraphs.append(body)
    last = [own_sentence(rng, label, shared) for _ in range(rng.randint(0, 2))]
    if not last or rng.random() < 0.7:
        last.append(verdict(rng, label, shared))
    if rng.random() < 0.25:
        last.append(render(shapes.expand(rng.choice(shapes.RATING), label), Slots(rng, shared)))
    paragraphs.append(last)
    return paragraphs


def single_review(rng, label, shared):
    """Neutral sentences around one evaluative sentence: every cue has to count on its own."""
    sentences = [neutral(rng, shared) for _ in range(rng.randint(1, 4))]
    sentences.insert(rng.randint(0, len(sentences)), own_sentence(rng, label, shared))
    return [sentences]


def short_review(rng, label, shared):
    if rng.random() < 0.6:
        return None
    sentences = [own_sentence(rng, label, shared) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.3:
        sentences.append(verdict(rng, label, shared))
    return [sentences]


def make_review(rng, label):
    """(text, length class) for one review of `label`."""
    length = rng.choices(list(LENGTHS), weights=list(LENGTHS.values()))[0]
    shared = {}
    build = {"short": short_review, "single": single_review, "medium": medium_review,
             "long": long_review}[length]
    paragraphs = build(rng, label, shared)
    if paragraphs is None:
        return make_short_review(rng, label)[0], "short"
    joiners = [("<br /><br />" if rng.random() < 0.9 else " ") for _ in paragraphs[1:]]
    text = " ".join(paragraphs[0])
    for joiner, paragraph in zip(joiners, paragraphs[1:], strict=True):
        text += joiner + " ".join(paragraph)
    return add_noise(rng, text), length


def add_noise(rng, text):
    """The habits of real review text, each in a small share of reviews."""
    if rng.random() < 0.08:
        text = re.sub(r"\.(?= |$)", lambda m: rng.choice((".", "!", "...", "!!", ".")), text)
    if rng.random() < 0.06:
        text = re.sub(r"\b(\w+)n't\b", r"\1nt", text).replace("I'm", "Im").replace("it's", "its")
    if rng.random() < 0.06:
        words = [m for m in re.finditer(r"\b[a-z]{4,}\b", text)]
        if words:
            m = rng.choice(words)
            text = text[:m.start()] + m.group().upper() + text[m.end():]
    if rng.random() < 0.05:
        wrong = [(a, b) for a, b in TYPOS if re.search(rf"\b{re.escape(a)}\b", text)]
        if wrong:
            a, b = rng.choice(wrong)
            text = re.sub(rf"\b{re.escape(a)}\b", b, text, count=1)
    if rng.random() < 0.03:
        text = text.lower()
    return text
