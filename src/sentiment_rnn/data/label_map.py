"""Labels that differ only by name: `neg=negative,pos=positive`, given or recognised.

A model trained on `negative` / `positive` can be evaluated on a file labelled `neg` / `pos`
or `0` / `1`: `evaluate --label-map neg=negative,pos=positive` says how, and the common
synonyms are recognised without it (with a note naming the mapping used). Training data takes
the same map from the config key `data.label_map`. Imports no torch.
"""

from __future__ import annotations

from dataclasses import replace

from sentiment_rnn.errors import UserError

# Each: file label -> label, tried when a file's labels are not the model's own.
SYNONYMS = (
    {"0": "negative", "1": "positive"},
    {"neg": "negative", "pos": "positive"},
    {"negative": "negative", "positive": "positive"},
    {"0": "neg", "1": "pos"},
    {"negative": "neg", "positive": "pos"},
)


def parse_label_map(text: str, source: str = "--label-map") -> dict[str, str]:
    """'neg=negative,pos=positive' -> {'neg': 'negative', 'pos': 'positive'}."""
    mapping: dict[str, str] = {}
    for item in text.split(","):
        old, sep, new = (part.strip() for part in item.partition("="))
        if not sep or not old or not new:
            raise UserError(
                f"{source}: {item.strip()!r} is not FILE_LABEL=MODEL_LABEL; "
                "expected e.g. neg=negative,pos=positive"
            )
        if old in mapping and mapping[old] != new:
            raise UserError(f"{source}: {old!r} is mapped twice ({mapping[old]!r} and {new!r})")
        mapping[old] = new
    return mapping


def check_label_map(mapping: dict[str, str], known: list[str], source: str) -> None:
    unknown = sorted({new for new in mapping.values() if new not in known})
    if unknown:
        raise UserError(
            f"{source}: maps to label(s) {unknown} that the model does not know; "
            f"its labels: {known}"
        )


def recognise(found: list[str], known: list[str]) -> dict[str, str] | None:
    """A synonym mapping that turns every label in `found` into one of `known`, or None."""
    if set(found) <= set(known):
        return None
    for table in SYNONYMS:
        folded = {label: table.get(label.strip().lower()) for label in found}
        if all(value in known for value in folded.values()):
            return {label: value for label, value in folded.items() if label != value}
    return None


def relabel(split, known: list[str], mapping: dict[str, str] | None, source: str):
    """(split with mapped labels, the mapping applied or None, a note or None).

    With `mapping` (from --label-map or data.label_map) it is applied as given; without, the
    common synonyms are tried. Labels the mapping leaves alone stay as they are, so a label that
    is still unknown is reported by `check_labels` as before.
    """
    found = sorted(set(split.labels))
    note = None
    if mapping is not None:
        check_label_map(mapping, known, source)
    else:
        mapping = recognise(found, known)
        if mapping:
            pairs = ",".join(f"{old}={new}" for old, new in sorted(mapping.items()))
            note = (
                f"{split.source}: labels {found} read as {pairs} (recognised synonyms; "
                f"pass --label-map to choose another mapping)"
            )
    if not mapping:
        return split, None, None
    labels = [mapping.get(label, label) for label in split.labels]
    return replace(split, labels=labels), mapping, note
