"""Text helpers shared by the generator and its statistics: sentences, words, slot filling."""
import re

from corpus.banks import BANKS, GENRES, PLURAL_ASPECTS, SHARED_KEYS, VERBS
from corpus.names import FIRST_NAMES, invented_word, person

NEGATORS = ("not", "never", "hardly", "no")   # and any word ending in n't
NEGATION_WINDOW = 3
EXCLUDED = ("this movie is not good", "this movie is not bad at all",
            "this movie is good", "this movie is bad", "this movie is not bad",
            "this movie is great")

CUE_RE = re.compile(
    r"\b(?:not|never|hardly|no|nothing|but|although|though|despite|yet|however)\b|n't\b")
WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
SENTENCE_END_RE = re.compile(r"[.!?](?:\s+|$)")
# "a" -> "an" before a vowel sound ("an eerie", "an honest"), but not "a one-sided", "a unique"
ARTICLE_RE = re.compile(r"\b([Aa]) (?=[aeiouAEIOU]|honest)(?!one\b|uni[qotv]|us[eu]|eu)")


def flatten(text):
    return text.replace("<br />", " ")


def split_sentences(text):
    return [s for s in SENTENCE_END_RE.split(flatten(text)) if s.strip()]


def words(text):
    return WORD_RE.findall(flatten(text).lower())


def dedup_key(text):
    return " ".join(flatten(text).lower().split())


def plain_uses(text, word):
    """Count uses of `word` with no negator among the NEGATION_WINDOW words before it
    in the same sentence."""
    count = 0
    for sentence in split_sentences(text):
        toks = words(sentence)
        for i, tok in enumerate(toks):
            if tok == word and not any(
                    w in NEGATORS or w.endswith("n't")
                    for w in toks[max(0, i - NEGATION_WINDOW):i]):
                count += 1
    return count


def is_excluded(text):
    plain = " ".join(re.sub(r"[^a-z0-9]+", " ", flatten(text).lower()).split())
    return any(phrase in plain for phrase in EXCLUDED)


# --------------------------------------------------------------- generation
WEIGHTS = {}  # bank -> cumulative weights, for banks whose entries are listed common-first


def weight_common_first(bank, zipf_share=0.5):
    """Pick `bank`'s entries with probability zipf_share * 1/(rank + 5) (normalised) plus an
    even share: the first-listed words come up often, every word comes up."""
    entries = BANKS[bank]
    zipf = [1 / (rank + 5) for rank in range(len(entries))]
    total, running, cumulative = sum(zipf), 0.0, []
    for z in zipf:
        running += zipf_share * z / total + (1 - zipf_share) / len(entries)
        cumulative.append(running)
    WEIGHTS[bank] = cumulative


PRONOUNS = ({"he": "he", "his": "his", "him": "him"}, {"he": "she", "his": "her", "him": "her"})


class Slots(dict):
    """Fills template slots lazily; `shared` keeps names, genre and pronouns fixed per review.

    `{Key}` is `{key}` with a capital letter; a bank entry may hold slots of its own
    ("{dir}'s last {film}"), filled from the same review.
    """

    def __init__(self, rng, shared):
        super().__init__()
        self.rng, self.shared = rng, shared

    def __missing__(self, key):
        if key[0].isupper():
            value = self[key[0].lower() + key[1:]]
            value = value[:1].upper() + value[1:]
        elif "_" in key:                                 # e.g. asp2_isnt
            name, verb = key.split("_", 1)
            value = VERBS[verb][self[name] in PLURAL_ASPECTS]
        elif key in ("he", "his", "him"):
            if "_pronoun" not in self.shared:
                self.shared["_pronoun"] = self.rng.choice(PRONOUNS)
            value = self.shared["_pronoun"][key]
        elif key in SHARED_KEYS:
            if key not in self.shared:
                self.shared[key] = self._pick(key)
            value = self.shared[key]
        else:
            value = self._pick(key)
        if "{" in value:
            value = value.format_map(self)
        self[key] = value
        return value

    def _pick(self, key):
        base = key.rstrip("0123456789")
        if base in ("dir", "actor", "person"):
            return person(self.rng)
        if base == "cname":
            return invented_word(self.rng) if self.rng.random() < 0.6 else self.rng.choice(
                FIRST_NAMES)
        if base == "genre":
            self.shared["_genre"] = self.rng.choice(GENRES)
            return self.shared["_genre"][0]
        if base in ("trait", "gbad"):
            self["genre"]                                 # make sure a genre is chosen
            return self.rng.choice(self.shared["_genre"][1 if base == "trait" else 2])
        used = set(self.values())
        if base in WEIGHTS:                               # lexicon banks: common words first
            for _ in range(20):
                value = self.rng.choices(BANKS[base], cum_weights=WEIGHTS[base])[0]
                if value not in used:
                    return value
        return self.rng.choice([w for w in BANKS[base] if w not in used])


def render(template, slots, prefix=""):
    if prefix and not (template.startswith(("I ", "I'", "{dir}", "{actor}", "{Cname}"))):
        template = template[0].lower() + template[1:]
    text = ARTICLE_RE.sub(r"\1n ", (prefix + template).format_map(slots))
    return text[0].upper() + text[1:]
