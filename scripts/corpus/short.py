"""Short reviews (1 to 4 sentences) from the first version's templates: affirmative frames,
negated words and contrast sentences in equal share for both labels."""
from corpus.banks import LABEL_PREFIXES, PREFIXES
from corpus.templates_short import TEMPLATES
from corpus.text import Slots, render, split_sentences

TURN_SHARE = 0.33      # reviews built around a negation/contrast sentence
EXTRA_TURN = 0.1       # chance that any other core sentence is one as well
AFFIRM_SHARE = 0.4     # chance that a core sentence is a short affirmative frame


def plan_review(rng):
    """Return the sentence kinds for one review and whether it turns on negation/contrast."""
    n = rng.choices((1, 2, 3, 4), weights=(15, 35, 32, 18))[0]
    kinds = []
    if n >= 2 and rng.random() < 0.3:
        kinds.append("opener")
    if n - len(kinds) >= 2 and rng.random() < 0.25:
        kinds.append("context")
    room = n - len(kinds)
    closer = room >= 2 and rng.random() < 0.4
    cores = ["affirm" if rng.random() < AFFIRM_SHARE else "plain"
             for _ in range(room - closer)]
    turn = rng.random() < TURN_SHARE
    turn_kinds = ("negated", "frame", "contrast")
    for i in range(len(cores)):
        if rng.random() < EXTRA_TURN:
            cores[i] = rng.choice(turn_kinds)
    if turn:
        cores[rng.randrange(len(cores))] = rng.choice(turn_kinds)
    turned = turn or any(k in turn_kinds for k in cores)
    return kinds + cores + ["closer"] * closer, turned


def make_review(rng, label):
    kinds, turned = plan_review(rng)
    shared, used, sentences = {}, [], []
    for kind in kinds:
        options = [t for t in TEMPLATES[(label, kind)] if t not in used]
        template = rng.choice(options)
        used.append(template)
        prefix = ""
        if kind in ("plain", "affirm", "negated", "frame") and rng.random() < 0.1:
            prefix = rng.choice(PREFIXES + LABEL_PREFIXES[label])
        sentence = render(template, Slots(rng, shared), prefix)
        assert len(split_sentences(sentence)) == 1, sentence
        sentences.append(sentence)
    text = sentences[0]
    br_at = rng.randrange(1, len(sentences)) if len(sentences) > 1 and rng.random() < 0.1 else -1
    for i, sentence in enumerate(sentences[1:], start=1):
        text += ("<br /><br />" if rng.random() < 0.7 else "<br />") if i == br_at else " "
        text += sentence
    return text, used, turned


