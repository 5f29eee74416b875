"""Named sources on small files built here in the official layouts: IMDB archive (download,
checksum, safe extraction), SST-2, Rotten Tomatoes, Parquet, Hugging Face. No network is used."""

from __future__ import annotations

import hashlib
import io
import sys
import tarfile
import types
from pathlib import Path

import pandas as pd
import pytest

from conftest import write_csv
from sentiment_rnn.config import DataConfig
from sentiment_rnn.data import corpora as datasets
from sentiment_rnn.data.corpora import download, read_imdb_unsup, safe_extract
from sentiment_rnn.data.dataset import load_dataset
from sentiment_rnn.data.split import read_split
from sentiment_rnn.errors import UserError

REVIEWS = {
    "train/pos/0_9.txt": "A wonderful film.<br />Loved it.",
    "train/pos/1_8.txt": "Great acting and a moving score.",
    "train/pos/10_7.txt": "Not bad at all.",
    "train/neg/0_2.txt": "Dull and far too long.",
    "train/neg/2_1.txt": "Not good, not funny.",
    "train/neg/11_3.txt": "A waste of an evening.",
    "train/unsup/0_0.txt": "Unlabelled text.",
    "test/pos/0_10.txt": "Superb from start to finish.",
    "test/neg/0_1.txt": "Awful.",
}


def add_file(tar: tarfile.TarFile, name: str, data: bytes, **fields) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in fields.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(data))


def make_archive(path: Path, extra: list[tarfile.TarInfo] | None = None) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in REVIEWS.items():
            add_file(tar, f"aclImdb/{name}", text.encode())
        for info in extra or []:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return path


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny aclImdb_v1.tar.gz, served at a file:// URL and made the expected checksum."""
    (tmp_path / "served").mkdir()
    path = make_archive(tmp_path / "served" / "aclImdb_v1.tar.gz")
    monkeypatch.setattr(datasets, "IMDB_URL", path.as_uri())
    monkeypatch.setattr(datasets, "IMDB_SHA256", hashlib.sha256(path.read_bytes()).hexdigest())
    return path


def imdb_config(tmp_path: Path, **kw) -> DataConfig:
    return DataConfig(source="imdb", cache_dir=tmp_path / "cache", test_fraction=0.1, **kw)


def test_imdb_downloads_verifies_extracts_and_reads(archive: Path, tmp_path: Path) -> None:
    train, dev, test = datasets.read_imdb(imdb_config(tmp_path), show_progress=False)
    assert dev is None
    assert sorted(zip(train.labels, train.texts)) == sorted(
        ("positive" if "/pos/" in name else "negative", text)
        for name, text in REVIEWS.items() if name.startswith("train/") and "unsup" not in name
    )
    assert train.texts[:3] == [REVIEWS["train/neg/0_2.txt"], REVIEWS["train/neg/2_1.txt"],
                               REVIEWS["train/neg/11_3.txt"]]  # numeric id order, not text order
    assert test.labels == ["negative", "positive"]
    assert (tmp_path / "cache" / "aclImdb_v1.tar.gz").is_file()
    assert not list((tmp_path / "cache").glob(".*"))  # no partial download or extraction left


def test_imdb_cached_archive_and_folder_need_no_network(archive: Path, tmp_path: Path, monkeypatch) -> None:
    datasets.read_imdb(imdb_config(tmp_path), show_progress=False)
    monkeypatch.setattr(datasets, "IMDB_URL", "file:///nonexistent/aclImdb_v1.tar.gz")
    train, _, _ = datasets.read_imdb(imdb_config(tmp_path, download=False), show_progress=False)
    assert len(train) == 6
    root = tmp_path / "cache" / "aclImdb-extracted"
    assert len(datasets.read_imdb(imdb_config(tmp_path, path=root), show_progress=False)[0]) == 6
    assert read_imdb_unsup(root / "aclImdb") == ["Unlabelled text."]


def test_imdb_given_archive_path_is_verified_and_used(archive: Path, tmp_path: Path) -> None:
    train, _, test = datasets.read_imdb(imdb_config(tmp_path, path=archive), show_progress=False)
    assert len(train) == 6 and len(test) == 2


def test_imdb_without_archive_and_no_download(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not found and data.download is false"):
        datasets.read_imdb(imdb_config(tmp_path, download=False), show_progress=False)


def test_download_with_wrong_checksum_leaves_nothing(archive: Path, tmp_path: Path) -> None:
    target = tmp_path / "cache" / "a.tar.gz"
    with pytest.raises(UserError, match=r"SHA-256 mismatch: expected 0{64}, got [0-9a-f]{64}"):
        download(archive.as_uri(), target, "0" * 64, show_progress=False)
    assert not target.exists()
    assert not list(target.parent.iterdir())


def test_download_failure_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="download failed"):
        download((tmp_path / "missing.tar.gz").as_uri(), tmp_path / "x", "0" * 64, False)


def test_cached_archive_with_wrong_checksum_names_both_hashes(archive: Path, tmp_path: Path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "aclImdb_v1.tar.gz").write_bytes(archive.read_bytes()[:-10])
    with pytest.raises(UserError, match=r"SHA-256 mismatch: expected [0-9a-f]{64}, got [0-9a-f]{64}"):
        datasets.read_imdb(imdb_config(tmp_path), show_progress=False)


def test_truncated_archive_is_refused_and_nothing_is_extracted(archive: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    target = tmp_path / "out"
    with pytest.raises(UserError, match="corrupt or truncated archive"):
        safe_extract(truncated, target)
    assert not target.exists() and not list(tmp_path.glob(".out.*"))


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("../escape.txt", {}),
        ("/etc/evil.txt", {}),
        ("aclImdb/link", {"type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}),
        ("aclImdb/hard", {"type": tarfile.LNKTYPE, "linkname": "aclImdb/train/pos/0_9.txt"}),
    ],
)
def test_hostile_members_are_refused(tmp_path: Path, name: str, fields: dict) -> None:
    info = tarfile.TarInfo(name)
    info.size = 0 if fields else 1
    for key, value in fields.items():
        setattr(info, key, value)
    hostile = make_archive(tmp_path / "hostile.tar.gz", [info])
    with pytest.raises(UserError, match=f"member '{name}'"):
        safe_extract(hostile, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "escape.txt").exists()


def test_sst2_glue_tsv(tmp_path: Path) -> None:
    (tmp_path / "train.tsv").write_text(
        'sentence\tlabel\nit \'s a "charming" film \t1\nnot worth it \t0\ngood fun \t1\ndull \t0\n'
    )
    (tmp_path / "dev.tsv").write_text("sentence\tlabel\nwonderful \t1\nawful \t0\n")
    config = DataConfig(source="sst2", path=tmp_path, dev_fraction=0.25)
    dataset = load_dataset(config, seed=0)
    assert dataset.labels == ["negative", "positive"]
    assert dataset.test.texts == ["wonderful ", "awful "]
    assert 'it \'s a "charming" film ' in dataset.train.texts + dataset.dev.texts


def test_sst2_bad_label_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "train.tsv").write_text("sentence\tlabel\ngood\t1\nbad\tneg\n")
    (tmp_path / "dev.tsv").write_text("sentence\tlabel\ngood\t1\n")
    with pytest.raises(UserError, match=r"train.tsv, line 3: label 'neg'; expected 0 or 1"):
        load_dataset(DataConfig(source="sst2", path=tmp_path), seed=0)


def test_rotten_tomatoes_cp1252_and_carved_splits(tmp_path: Path) -> None:
    folder = tmp_path / "rt-polaritydata"
    folder.mkdir()
    (folder / "rt-polarity.pos").write_bytes(
        "\n".join(f"a caf\xe9 delight number {i}" for i in range(20)).encode("cp1252")
    )
    (folder / "rt-polarity.neg").write_bytes(
        "\n".join(f"a tedious mess number {i}" for i in range(20)).encode("cp1252")
    )
    dataset = load_dataset(
        DataConfig(source="rotten_tomatoes", path=tmp_path, test_fraction=0.2, dev_fraction=0.25), seed=1
    )
    assert "a café delight number 0" in dataset.train.texts + dataset.dev.texts + dataset.test.texts
    assert len(dataset.test) == 8 and dataset.test.labels.count("positive") == 4
    assert len(dataset.train) + len(dataset.dev) + len(dataset.test) == 40


def test_parquet_with_integer_labels(tmp_path: Path) -> None:
    frame = pd.DataFrame({"review": ["good", "bad", "fine"], "stars": [1, 0, 1]})
    frame.to_parquet(tmp_path / "a.parquet")
    split = read_split(tmp_path / "a.parquet", "review", "stars")
    assert split.texts == ["good", "bad", "fine"] and split.labels == ["1", "0", "1"]


def test_damaged_parquet_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(UserError, match="not a readable Parquet file"):
        read_split(tmp_path / "a.parquet")


def test_bad_rows_are_skipped_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("text,label\ngood,pos\n,neg\nbad,\nfine,pos\n")
    with pytest.raises(UserError, match=r"2 row\(s\) .*line 3; fix them or set data.skip_bad_rows"):
        read_split(path)
    split = read_split(path, skip_bad_rows=True)
    assert split.texts == ["good", "fine"] and split.skipped == 2


def test_huggingface_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(UserError, match=r"needs the `datasets` package: pip install"):
        load_dataset(DataConfig(source="huggingface", hf_name="imdb"), seed=0)


class FakeTable:
    """The few members of `datasets.Dataset` the reader uses."""

    def __init__(self, columns: dict, names: list[str] | None) -> None:
        self.columns = columns
        self.column_names = list(columns)
        self.features = {"label": types.SimpleNamespace(names=names), "text": object()}

    def __getitem__(self, key: str) -> list:
        return self.columns[key]


def test_huggingface_class_labels_and_splits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    splits = {
        "train": FakeTable({"text": ["good", "bad", "great", "awful"], "label": [1, 0, 1, 0]},
                           ["neg", "pos"]),
        "test": FakeTable({"text": ["fine", "poor"], "label": [1, 0]}, ["neg", "pos"]),
        "unsupervised": FakeTable({"text": ["x"], "label": [-1]}, ["neg", "pos"]),
    }
    fake = types.SimpleNamespace(load_from_disk=lambda name: splits, load_dataset=None)
    monkeypatch.setitem(sys.modules, "datasets", fake)
    dataset = load_dataset(DataConfig(source="huggingface", hf_name=str(tmp_path), dev_fraction=0.5), 0)
    assert dataset.labels == ["neg", "pos"]
    assert dataset.test.texts == ["fine", "poor"] and dataset.test.labels == ["pos", "neg"]
    assert len(dataset.train) + len(dataset.dev) == 4


def test_other_sources_refuse_file_keys() -> None:
    from sentiment_rnn.config import validate_config

    with pytest.raises(UserError, match="data.train is for data.source 'files'"):
        validate_config({"data": {"source": "imdb", "train": "x.csv"}}, "c.yaml")
    with pytest.raises(UserError, match="data.path .* is required"):
        validate_config({"data": {"source": "sst2"}}, "c.yaml")


def test_imdb_csv_form_folder(tmp_path: Path) -> None:
    for split, rows in (("train", [("great", "pos"), ("awful", "neg"), ("fine", "pos"), ("poor", "neg")]),
                        ("test", [("superb", "pos"), ("dull", "neg")])):
        write_csv(tmp_path / f"{split}.csv", rows)
    dataset = load_dataset(DataConfig(source="imdb", path=tmp_path, dev_fraction=0.5), seed=0)
    assert dataset.labels == ["negative", "positive"]
    assert dataset.test.texts == ["superb", "dull"]
    assert dataset.test.labels == ["positive", "negative"]
