"""The token cache: reuse, invalidation, atomic entries, list / clear, and the same ids as
tokenizing the texts directly; files read in chunks give the same splits as read whole."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import TINY_CONFIG, make_rows, write_csv, write_dataset
from sentiment_rnn.cli import app
from sentiment_rnn.config import validate_config
from sentiment_rnn.data import cache, chunks
from sentiment_rnn.data.dataset import load_dataset, split_records
from sentiment_rnn.data.tokenizer import build_tokenizer, encode
from sentiment_rnn.data.tokens import prepare_tokens
from sentiment_rnn.errors import UserError


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "token-cache"
    monkeypatch.setenv(cache.ENV, str(root))
    return root


def config_for(data: dict, **tokenizer):
    return validate_config(
        {**TINY_CONFIG, "data": data, "tokenizer": {**TINY_CONFIG["tokenizer"], **tokenizer}}, "tiny"
    ).with_absolute_paths()


def entries(root: Path) -> list[str]:
    """What is in the cache directory, but the build locks (`.lock-KEY`, kept: a few bytes)."""
    if not root.exists():
        return []
    return sorted(path.name for path in root.iterdir() if not path.name.startswith(".lock-"))


def reference(config) -> dict:
    """What train did before the cache: texts in memory, tokenizer, encode."""
    dataset = load_dataset(config.data, config.seed)
    tokenizer = build_tokenizer(dataset.train.texts, config.tokenizer)
    splits = {"train": dataset.train, "dev": dataset.dev, "test": dataset.test}
    out = {"tokenizer": tokenizer.to_str(), "labels": dataset.labels, "records": split_records(dataset)}
    for name, split in splits.items():
        if split is not None:
            ids = encode(tokenizer, split.texts, config.tokenizer.max_length, config.tokenizer.truncation)
            out[name] = (ids, [dataset.labels.index(label) for label in split.labels])
    return out


def cached(config) -> dict:
    tokens = prepare_tokens(config)
    out = {"tokenizer": tokens.tokenizer.to_str(), "labels": tokens.dataset.labels,
           "records": split_records(tokens.dataset)}
    for name, split in tokens.splits.items():
        out[name] = (list(split.ids), split.targets)
    return out


def test_second_preparation_reuses_the_entry(tmp_path: Path, cache_dir: Path) -> None:
    config = config_for(write_dataset(tmp_path / "data"))
    first = prepare_tokens(config)
    second = prepare_tokens(config)
    assert (first.hit, second.hit) == (False, True)
    assert first.entry == second.entry and entries(cache_dir) == [first.entry.name]
    assert list(second.splits["train"].ids) == list(first.splits["train"].ids)


@pytest.mark.parametrize("carve", [False, True])
def test_same_ids_labels_and_fingerprints_as_without_cache(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, carve: bool
) -> None:
    data = write_dataset(tmp_path / "data", classes=3)
    if carve:
        data = {**data, "dev": None, "test": None}
    config = config_for(data)
    expected = reference(config)
    assert cached(config) == expected  # built
    assert cached(config) == expected  # read back
    monkeypatch.setenv(cache.ENV, "off")
    assert cached(config) == expected
    assert entries(cache_dir) and not list(cache_dir.glob(".tmp-*"))


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_files_read_in_chunks_give_the_same_splits(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    frame = pd.DataFrame(make_rows(500, 3), columns=["text", "label"])
    path = tmp_path / f"train{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(path)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_csv(path, sep="\t" if suffix == ".tsv" else ",", index=False)
    config = config_for({"train": str(path), "dev": None, "test": None})
    expected = reference(config)
    monkeypatch.setattr(chunks, "WHOLE_FILE", 0)
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 37)
    assert [len(texts) for texts, _ in chunks.read_chunks(path)][:2] == [37, 37]
    assert cached(config) == expected


def test_a_changed_file_gets_a_new_entry(tmp_path: Path, cache_dir: Path) -> None:
    data = write_dataset(tmp_path / "data")
    config = config_for(data)
    before = prepare_tokens(config)
    train = Path(data["train"])
    text = train.read_text(encoding="utf-8")
    changed = text.replace("great", "grand", 1)  # same size: only the content differs
    assert len(changed) == len(text) and changed != text
    train.write_text(changed, encoding="utf-8")
    after = prepare_tokens(config)
    assert not after.hit and after.entry != before.entry
    assert after.dataset.train.digest != before.dataset.train.digest
    assert cached(config) == reference(config)


def test_a_changed_tokenizer_gets_a_new_entry(tmp_path: Path, cache_dir: Path) -> None:
    data = write_dataset(tmp_path / "data")
    entries_seen = set()
    for settings in ({}, {"max_length": 4}, {"truncation": "tail"}, {"lowercase": False}):
        tokens = prepare_tokens(config_for(data, **settings))
        assert not tokens.hit, settings
        entries_seen.add(tokens.entry)
    assert len(entries_seen) == 4
    short = prepare_tokens(config_for(data, max_length=4))
    assert short.hit and max(short.splits["train"].ids.lengths) == 4


def test_an_interrupted_build_leaves_nothing_and_is_never_read(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_for(write_dataset(tmp_path / "data"))
    finish = cache.SplitWriter.finish
    calls = []

    def interrupted(self):
        calls.append(self.name)
        if self.name == "dev":
            raise KeyboardInterrupt
        finish(self)

    monkeypatch.setattr(cache.SplitWriter, "finish", interrupted)
    with pytest.raises(KeyboardInterrupt):
        prepare_tokens(config)
    assert calls and entries(cache_dir) == []
    monkeypatch.setattr(cache.SplitWriter, "finish", finish)
    built = prepare_tokens(config)
    # a half-written entry under its key (meta.json missing) is rebuilt, never read
    (built.entry / cache.META).unlink()
    (cache_dir / ".tmp-0123456789abcdef-left").mkdir()  # a build killed outright
    again = prepare_tokens(config)
    assert not again.hit and (again.entry / cache.META).is_file()
    assert cached(config) == reference(config)


def test_a_damaged_entry_is_rebuilt(tmp_path: Path, cache_dir: Path) -> None:
    config = config_for(write_dataset(tmp_path / "data"))
    entry = prepare_tokens(config).entry
    offsets = entry / "train.offsets.npy"
    offsets.write_bytes(offsets.read_bytes()[:-8])  # one offset short
    assert not prepare_tokens(config).hit
    assert cached(config) == reference(config)


def test_cache_list_and_clear(tmp_path: Path, cache_dir: Path) -> None:
    config = config_for(write_dataset(tmp_path / "data"))
    key = prepare_tokens(config).entry.name
    (cache_dir / "notes.txt").write_text("mine")  # not an entry: never listed nor removed
    runner = CliRunner()
    listed = runner.invoke(app, ["cache", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    report = json.loads(listed.output)
    assert [entry["key"] for entry in report["entries"]] == [key]
    assert report["entries"][0]["examples"] == {"train": 240, "dev": 60, "test": 60}
    table = runner.invoke(app, ["cache", "list"])
    assert table.exit_code == 0 and key[:12] in table.output
    cleared = runner.invoke(app, ["cache", "clear"])
    assert cleared.exit_code == 0 and "removed 1 entry" in cleared.output
    assert entries(cache_dir) == ["notes.txt"]
    assert json.loads(runner.invoke(app, ["cache", "list", "--format", "json"]).output)["entries"] == []


def test_cache_off_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV, "off")
    tokens = prepare_tokens(config_for(write_dataset(tmp_path / "data")))
    assert not tokens.entry.exists() and len(tokens.splits["train"].ids) == 240
    result = CliRunner().invoke(app, ["cache", "list"])
    assert result.exit_code == 1 and "off" in result.output


def test_bad_rows_in_a_chunked_file_name_the_line(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = make_rows(100, 1)
    rows[57] = ("   ", "positive")
    rows[80] = ("fine", "")
    path = write_csv(tmp_path / "train.csv", rows)
    monkeypatch.setattr(chunks, "WHOLE_FILE", 0)
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 10)
    config = config_for({"train": str(path), "dev": None, "test": None})
    with pytest.raises(UserError, match=r"2 row\(s\) with an empty text .* \(empty text\) on line 59"):
        prepare_tokens(config)
    skipped = prepare_tokens(config_for({"train": str(path), "dev": None, "test": None, "skip_bad_rows": True}))
    assert skipped.dataset.train.skipped == 2 and sum(len(s.ids) for s in skipped.splits.values()) == 98


def test_bad_utf8_in_a_chunked_file_names_the_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "train.csv", make_rows(50, 1))
    data = path.read_bytes()
    path.write_bytes(data[:300] + b"\xff" + data[300:])
    monkeypatch.setattr(chunks, "WHOLE_FILE", 0)
    with pytest.raises(UserError, match="not valid UTF-8 at byte 300"):
        list(chunks.read_chunks(path))


@pytest.mark.slow
def test_evaluate_reads_the_test_split_from_the_cache(
    trained_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sentiment_rnn.data import dataset
    from sentiment_rnn.evaluation.evaluate import evaluate

    untimed = ("predict_seconds", "texts_per_second")
    monkeypatch.setattr(dataset, "load_dataset", lambda *a, **k: pytest.fail("data read"))
    from_cache = evaluate(trained_run)  # the entry `train` made for this run
    monkeypatch.undo()
    monkeypatch.setenv(cache.ENV, "off")
    from_texts = evaluate(trained_run)
    assert {k: v for k, v in from_cache.items() if k not in untimed} == {
        k: v for k, v in from_texts.items() if k not in untimed
    }


def test_a_missing_file_is_reported_by_the_reader(tmp_path: Path, cache_dir: Path) -> None:
    data = {**write_dataset(tmp_path / "data"), "dev": str(tmp_path / "absent.csv")}
    with pytest.raises(UserError, match=r"absent\.csv: file not found"):
        prepare_tokens(config_for(data))


def test_a_second_build_of_the_same_entry_keeps_the_first(tmp_path: Path, cache_dir: Path) -> None:
    config = config_for(write_dataset(tmp_path / "data"))
    first = prepare_tokens(config)
    late = cache.EntryBuilder(cache_dir, first.entry.name)  # a process that built it too
    (late.folder / "marker").write_text("late")
    late.commit({"labels": [], "splits": {}}, "{}")
    assert not (first.entry / "marker").exists() and not list(cache_dir.glob(".tmp-*"))
    assert prepare_tokens(config).hit


def test_a_pipe_is_read_once_and_keyed_by_its_content(tmp_path: Path, cache_dir: Path) -> None:
    import os
    import threading

    data = write_dataset(tmp_path / "data")
    content = Path(data["train"]).read_bytes()
    fifo = tmp_path / "train-pipe.csv"
    os.mkfifo(fifo)
    config = config_for({**data, "train": str(fifo)})
    found = []
    for _ in range(2):
        writer = threading.Thread(target=lambda: fifo.write_bytes(content))
        writer.start()
        found.append(prepare_tokens(config))
        writer.join(timeout=10)
    assert [tokens.hit for tokens in found] == [False, True]
    ids, targets = reference(config_for(data))["train"]
    assert list(found[1].splits["train"].ids) == ids and found[1].splits["train"].targets == targets


def test_a_file_changed_during_preparation_is_never_kept(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sentiment_rnn.data import tokens

    data = write_dataset(tmp_path / "data")
    config = config_for(data)
    finish = cache.SplitWriter.finish

    def finish_then_append(self):
        finish(self)
        with open(data["train"], "a", encoding="utf-8") as handle:
            handle.write("a late row,positive\n")

    monkeypatch.setattr(cache.SplitWriter, "finish", finish_then_append)
    with pytest.raises(UserError, match=r"train\.csv: changed while it was being read"):
        tokens.prepare_tokens(config)
    assert not [name for name in entries(cache_dir) if not name.startswith(".tmp-")]


def test_processes_preparing_the_same_data_build_it_once(tmp_path: Path, cache_dir: Path) -> None:
    import subprocess
    import sys

    import yaml

    data = write_dataset(tmp_path / "data", n_train=3000)
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({**TINY_CONFIG, "data": data}))
    code = (
        "import sys; from sentiment_rnn.config import load_config; "
        "from sentiment_rnn.data.tokens import prepare_tokens; "
        "print(prepare_tokens(load_config(__import__('pathlib').Path(sys.argv[1])).with_absolute_paths()).hit)"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(config)], stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    hits = sorted(proc.communicate(timeout=120)[0].strip() for proc in procs)
    assert hits == ["False", "True", "True"]
    assert len([name for name in entries(cache_dir) if not name.startswith(".")]) == 1


def test_fit_texts_fits_the_vocabulary_on_a_seeded_draw_the_same_streamed_or_read_whole(
    tmp_path: Path, cache_dir: Path
) -> None:
    import os
    import threading

    from sentiment_rnn.data.tokenizer import fit_rows

    data = write_dataset(tmp_path / "data", n_train=300)
    config = config_for(data, fit_texts=40, min_freq=20)
    streamed = prepare_tokens(config).tokenizer.to_str()
    fifo = tmp_path / "train-pipe.csv"  # a pipe is read whole: the other way to the tokenizer
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(Path(data["train"]).read_bytes()))
    writer.start()
    read_whole = prepare_tokens(config_for({**data, "train": str(fifo)}, fit_texts=40, min_freq=20))
    writer.join(timeout=10)
    assert read_whole.tokenizer.to_str() == streamed

    train = load_dataset(config.data, config.seed).train
    chosen = fit_rows(len(train), 40, config.seed)
    assert len(chosen) == 40 and list(chosen) == sorted(set(chosen.tolist()))
    drawn = build_tokenizer([train.texts[i] for i in chosen], config.tokenizer)
    everything = prepare_tokens(config_for(data, min_freq=20)).tokenizer
    assert streamed == drawn.to_str() != everything.to_str()
    assert len(drawn.get_vocab()) < len(everything.get_vocab())
    # as many texts as train has, or more: every text, as with no draw at all
    assert fit_rows(len(train), len(train), config.seed) is None
    whole = prepare_tokens(config_for(data, fit_texts=len(train), min_freq=20)).tokenizer
    assert whole.to_str() == everything.to_str()


def test_extra_train_is_read_whole_keyed_by_content_and_encoded_into_train(
    tmp_path: Path, cache_dir: Path
) -> None:
    data = write_dataset(tmp_path / "data")
    rows = [(f"extra review {i} was {word}", label) for i, (word, label) in
            enumerate([("great", "positive"), ("dull", "negative")] * 15)]
    extra = write_csv(tmp_path / "extra.csv", rows)
    plain, mixed = config_for(data), config_for({**data, "extra_train": [str(extra)]})
    without, first = prepare_tokens(plain), prepare_tokens(mixed)
    assert first.entry != without.entry and not first.hit and prepare_tokens(mixed).hit
    assert len(first.splits["train"].ids) == len(without.splits["train"].ids) + 30
    assert cached(mixed) == reference(mixed)  # the same ids as reading and encoding directly
    records, records_without = split_records(first.dataset), split_records(without.dataset)
    assert records["dev"] == records_without["dev"] and records["test"] == records_without["test"]
    assert records["train"] != records_without["train"]
    extra.write_text(extra.read_text() + "a late addition that was fine,positive\n")
    assert not prepare_tokens(mixed).hit  # an edited extra file: a new entry
