"""The evaluative lexicon (lexicon.txt, written for this project) as slot banks.

Each section of lexicon.txt becomes a bank; verbs of `verb.it.*` are stored in the base form
("fall flat") and inflected here ("falls flat"). `check()` refuses an entry that is listed
with both polarities, so plain uses of a word point one way.
"""
import re
from pathlib import Path

LEXICON = Path(__file__).with_name("lexicon.txt")
POLARITY = {"pos": "positive", "mild-pos": "positive", "neg": "negative", "mild-neg": "negative"}


def read_sections(path=LEXICON):
    """{section: tuple of entries}, in file order, duplicates dropped."""
    sections, current = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"\[([a-z.-]+)\]", line)
        if match:
            current = sections.setdefault(match.group(1), {})
            continue
        if current is None:
            raise ValueError(f"{path}: entry before the first [section]: {line!r}")
        for entry in line.split(","):
            entry = " ".join(entry.split())
            if entry:
                current[entry] = True
    return {name: tuple(entries) for name, entries in sections.items()}


def polarity(section):
    """'positive', 'negative' or None (neutral, like the intensifiers)."""
    return POLARITY.get(section.rsplit(".", 1)[-1])


def check(sections):
    """Raise if an entry is listed with both polarities."""
    seen = {}
    for name, entries in sections.items():
        pol = polarity(name)
        for entry in entries:
            if pol and seen.setdefault(entry, (pol, name))[0] != pol:
                raise ValueError(f"{entry!r} is in [{seen[entry][1]}] and in [{name}]")
    return sections


def third_person(base):
    """'fall flat' -> 'falls flat', 'fly' -> 'flies', 'go nowhere' -> 'goes nowhere'."""
    verb, _, rest = base.partition(" ")
    if re.search(r"[^aeiou]y$", verb):
        verb = verb[:-1] + "ies"
    elif re.search(r"(?:s|sh|ch|x|z|o)$", verb):
        verb += "es"
    else:
        verb += "s"
    return f"{verb} {rest}".strip()


def banks():
    """Slot name -> entries, for the templates in corpus.shapes."""
    s = check(read_sections())
    out = {}
    for pol in ("pos", "neg"):
        out[f"adj{pol}"] = s[f"adj.{pol}"]
        out[f"mild{pol}x"] = s[f"adj.mild-{pol}"]
        out[f"adv{pol}"] = s[f"adv.{pol}"]
        out[f"like{pol}"] = s[f"verb.like.{pol}"]
        out[f"it{pol}b"] = s[f"verb.it.{pol}"]
        out[f"it{pol}"] = tuple(third_person(v) for v in s[f"verb.it.{pol}"])
        out[f"noun{pol}"] = s[f"noun.{pol}"]
        out[f"q{pol}"] = s[f"quality.{pol}"]
        out[f"np{pol}"] = s[f"np.{pol}"]
        out[f"vp{pol}"] = s[f"vp.{pol}"]
        out[f"cl{pol}"] = s[f"clause.{pol}"]
        out[f"mass{pol}"] = s[f"mass.{pol}"]
    out["int"] = s["intensifier"]
    return out


def size(sections=None):
    """Number of distinct evaluative entries (intensifiers not counted), per polarity."""
    sections = sections or read_sections()
    counts = {"positive": {}, "negative": {}}
    for name, entries in sections.items():
        if polarity(name):
            counts[polarity(name)].update(dict.fromkeys(entries))
    return {pol: len(entries) for pol, entries in counts.items()}
