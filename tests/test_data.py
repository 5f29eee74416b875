"""Reading labelled files: formats, label order, dev carving, and errors that name the problem."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import make_rows, write_csv
from sentiment_rnn.config import DataConfig
from sentiment_rnn.data.dataset import carve, label_order, load_dataset, read_split
from sentiment_rnn.errors import UserError
from sentiment_rnn.texts import gather_inputs


def test_csv_tsv_jsonl_and_gzip_read_the_same(tmp_path: Path) -> None:
    rows = [("good, really \"good\"", "positive"), ("bad", "negative"), ("NA", "negative")]
    write_csv(tmp_path / "a.csv", rows)
    (tmp_path / "a.tsv").write_text("text\tlabel\n" + "".join(f"{t}\t{label}\n" for t, label in rows[1:]))
    (tmp_path / "a.jsonl").write_text(
        "".join(json.dumps({"text": t, "label": label}) + "\n" for t, label in rows)
    )
    with open(tmp_path / "a.csv", "rb") as src:
        (tmp_path / "b.csv.gz").write_bytes(gzip.compress(src.read()))
    csv_split = read_split(tmp_path / "a.csv", "text", "label")
    assert csv_split.texts == [t for t, _ in rows]  # "NA" stays text, not a missing value
    assert read_split(tmp_path / "a.jsonl", "text", "label").labels == csv_split.labels
    assert read_split(tmp_path / "b.csv.gz", "text", "label").texts == csv_split.texts
    assert read_split(tmp_path / "a.tsv", "text", "label").texts == ["bad", "NA"]


def test_integer_labels_become_strings(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "x", "label": 1}\n{"text": "y", "label": 0}\n')
    assert read_split(tmp_path / "a.jsonl", "text", "label").labels == ["1", "0"]


def test_missing_column_lists_the_columns_found(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [("good", "pos")], header=("review", "sentiment"))
    with pytest.raises(UserError, match=r"no text column 'text'; columns found: review, sentiment"):
        read_split(path, "text", "label")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "file is empty"),
        (b"text,label\ngood,pos\n,neg\n", r"1 row\(s\) .* the first \(empty text\) on line 3"),
        (b"text,label\ngood,pos\nbad,\n", r"the first \(missing label\) on line 3"),
        (b"text,label\ngood,pos\n\xff\xfebad,neg\n", "not valid UTF-8 at byte 20"),
    ],
)
def test_bad_files_name_file_and_problem(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(UserError, match=match) as err:
        read_split(path, "text", "label")
    assert str(path) in str(err.value)


def test_missing_file_and_unknown_type(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="file not found"):
        read_split(tmp_path / "none.csv", "text", "label")
    (tmp_path / "a.xml").write_text("<x/>")
    with pytest.raises(UserError, match="cannot tell the format from '.xml'"):
        read_split(tmp_path / "a.xml", "text", "label")


def test_label_order_is_sorted_or_configured(tmp_path: Path) -> None:
    split = read_split(write_csv(tmp_path / "a.csv", make_rows(50, 0, classes=3)), "text", "label")
    assert label_order(DataConfig(), split) == ["negative", "neutral", "positive"]
    order = ["positive", "neutral", "negative"]
    assert label_order(DataConfig(labels=order), split) == order
    with pytest.raises(UserError, match=r"label\(s\) \['neutral'\] not in data.labels"):
        label_order(DataConfig(labels=["positive", "negative"]), split)


def test_single_class_training_set_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [("good", "pos"), ("great", "pos")])
    with pytest.raises(UserError, match="single class"):
        label_order(DataConfig(), read_split(path, "text", "label"))


def test_dev_label_never_seen_in_train(tmp_path: Path) -> None:
    train = write_csv(tmp_path / "train.csv", make_rows(40, 0))
    dev = write_csv(tmp_path / "dev.csv", [("meh", "neutral"), ("good", "positive")])
    with pytest.raises(UserError, match=r"dev.csv: label\(s\) \['neutral'\] never seen in training"):
        load_dataset(DataConfig(train=train, dev=dev, test=None), seed=0)


def test_dev_is_carved_stratified_and_seeded(tmp_path: Path) -> None:
    train = read_split(write_csv(tmp_path / "t.csv", make_rows(200, 0)), "text", "label")
    rest, dev = carve(train, 0.2, seed=3, name="dev")
    assert len(rest) + len(dev) == 200
    for label in ("negative", "positive"):
        share = dev.labels.count(label) / train.labels.count(label)
        assert share == pytest.approx(0.2, abs=0.01)
    again_rest, again_dev = carve(train, 0.2, seed=3, name="dev")
    assert again_dev.texts == dev.texts and again_rest.texts == rest.texts
    config = DataConfig(
        train=tmp_path / "t.csv", dev=None, test=None, dev_fraction=0.2, test_fraction=0
    )
    loaded = load_dataset(config, seed=3)
    assert loaded.dev.texts == dev.texts


def test_split_seed_carves_alone_so_runs_of_other_seeds_share_dev_and_test(tmp_path: Path) -> None:
    write_csv(tmp_path / "t.csv", make_rows(300, 0))
    carved = DataConfig(train=tmp_path / "t.csv", dev=None, test=None, dev_fraction=0.2)
    by_seed = {seed: load_dataset(carved, seed=seed) for seed in (13, 14)}
    assert by_seed[13].dev.texts != by_seed[14].dev.texts  # the run's seed carves by default
    fixed = carved.model_copy(update={"split_seed": 13})
    for seed in (13, 14, 99):
        loaded = load_dataset(fixed, seed=seed)
        assert loaded.dev.texts == by_seed[13].dev.texts
        assert loaded.test.texts == by_seed[13].test.texts
        assert loaded.train.texts == by_seed[13].train.texts


def test_extra_train_joins_train_after_the_carve_and_leaves_dev_and_test_alone(tmp_path: Path) -> None:
    write_csv(tmp_path / "t.csv", make_rows(300, 0))
    extra = write_csv(tmp_path / "extra.tsv.csv", [("not bad at all", "pos"), ("not good", "neg")])
    plain = DataConfig(train=tmp_path / "t.csv", dev=None, test=None, dev_fraction=0.2)
    mixed = plain.model_copy(update={"extra_train": [extra], "label_map": {"pos": "positive", "neg": "negative"}})
    before, after = load_dataset(plain, seed=5), load_dataset(mixed, seed=5)
    assert after.dev.texts == before.dev.texts and after.test.texts == before.test.texts
    assert after.train.texts == before.train.texts + ["not bad at all", "not good"]
    assert after.train.labels[-2:] == ["positive", "negative"]  # data.label_map applies to them too
    assert after.labels == before.labels and str(extra) in after.train.source

    unmapped = plain.model_copy(update={"extra_train": [extra]})
    with pytest.raises(UserError, match=r"extra.tsv.csv: label\(s\) \['neg', 'pos'\] of data.extra_train"):
        load_dataset(unmapped, seed=5)
    leaking = write_csv(tmp_path / "leak.csv", [("fine", "positive"), (before.dev.texts[3], "negative")])
    with pytest.raises(UserError, match=r"leak.csv: text 2 \(.*\) is also in the (dev|test) split"):
        load_dataset(plain.model_copy(update={"extra_train": [leaking]}), seed=5)
    with pytest.raises(UserError, match="missing.csv"):
        load_dataset(plain.model_copy(update={"extra_train": [tmp_path / "missing.csv"]}), seed=5)


def read_lines(path: str) -> list[str]:
    """The texts of a --file, as `predict --file` reads them."""
    return [item.text for item in gather_inputs([], path)]


def test_read_lines_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "texts.txt"
    path.write_text("good film\r\nbad film\n")
    assert read_lines(str(path)) == ["good film", "bad film"]
    path.write_text("good film\n\nbad film\n")
    with pytest.raises(UserError, match="texts.txt, line 2: empty; put one text on each line"):
        read_lines(str(path))


def test_damaged_gzip_data_is_a_user_error(tmp_path: Path) -> None:
    good = gzip.compress(b"text,label\ngood,pos\nbad,neg\n" * 50)
    path = tmp_path / "a.csv.gz"
    path.write_bytes(good[:10] + b"\xff" * 20 + good[30:])  # valid header, broken deflate stream
    with pytest.raises(UserError, match="a.csv.gz: cannot read"):
        read_split(path, "text", "label")
    path.write_bytes(good[: len(good) // 2])  # cut short
    with pytest.raises(UserError, match="a.csv.gz: cannot read"):
        read_split(path, "text", "label")


def test_read_lines_drops_a_byte_order_mark_and_names_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "texts.txt"
    path.write_bytes("\ufeffgood film\nbad film\n".encode())
    assert read_lines(str(path)) == ["good film", "bad film"]
    path.write_bytes(b"good film\nbad \xff film\n")
    with pytest.raises(UserError, match=r"texts.txt, line 2: not valid UTF-8 at byte 14"):
        read_lines(str(path))
