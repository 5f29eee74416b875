"""Named sources: IMDB (the official archive, or its CSV form), GLUE SST-2, Rotten Tomatoes,
Hugging Face.

Each reader returns (train, dev or None, test or None) as `readers.Split`s; `data.py` carves
whatever split a source lacks. Downloads go to a temporary name and are renamed into the cache
only once their SHA-256 matches; archives are checked member by member before extraction.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path, PurePosixPath

from sentiment_rnn.config import DataConfig
from sentiment_rnn.data.split import Split, drop_bad_rows
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import decode_utf8

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
IMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
IMDB_ARCHIVE = "aclImdb_v1.tar.gz"
IMDB_LABELS = {"neg": "negative", "pos": "positive"}
BINARY_LABELS = {"0": "negative", "1": "positive"}
Splits = tuple[Split, Split | None, Split | None]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sentiment-rnn"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(url: str, destination: Path, sha256: str, show_progress: bool = True) -> Path:
    """Fetch `url` to `destination`, via a temporary file renamed only when the hash matches."""
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            columns = (*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn())
            with Progress(*columns, disable=not show_progress, transient=True) as progress:
                task = progress.add_task(f"downloading {destination.name}", total=total)
                for chunk in iter(lambda: response.read(1 << 20), b""):
                    out.write(chunk)
                    digest.update(chunk)
                    progress.advance(task, len(chunk))
        if digest.hexdigest() != sha256:
            raise UserError(
                f"{url}: SHA-256 mismatch: expected {sha256}, got {digest.hexdigest()}; "
                "the download is corrupt or truncated and was discarded"
            )
        os.replace(partial, destination)
    except (urllib.error.URLError, OSError) as err:
        raise UserError(f"{url}: download failed ({err}); nothing was written") from None
    finally:
        partial.unlink(missing_ok=True)
    return destination


def check_member(member: tarfile.TarInfo, archive: Path) -> None:
    """Refuse members that would land outside the target folder, and links of any kind."""
    name = PurePosixPath(member.name)
    if name.is_absolute() or ".." in name.parts:
        raise UserError(f"{archive}: member {member.name!r} has an absolute path or '..'; refused")
    if not (member.isfile() or member.isdir()):
        raise UserError(f"{archive}: member {member.name!r} is a link or device; refused")


def safe_extract(archive: Path, target: Path) -> Path:
    """Extract a .tar.gz into `target` (a fresh folder), all or nothing."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            for member in members:
                check_member(member, archive)
            tar.extractall(partial, members=members, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(partial, target)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
        raise UserError(f"{archive}: corrupt or truncated archive ({err})") from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def locate_imdb(config: DataConfig, show_progress: bool = True) -> Path:
    """The extracted `aclImdb` folder: from data.path, the cache, or a verified download."""
    if config.path is not None:
        for candidate in (config.path / "aclImdb", config.path):
            if (candidate / "train" / "pos").is_dir():
                return candidate
        if config.path.is_file():
            return _extract_verified(config.path, config.path.parent / ".aclImdb-extracted")
        raise UserError(f"{config.path}: neither {IMDB_ARCHIVE} nor a folder with aclImdb/train/pos")
    cache = config.cache_dir or default_cache_dir()
    extracted = cache / "aclImdb-extracted"
    if (extracted / "aclImdb" / "train" / "pos").is_dir():
        return extracted / "aclImdb"
    archive = cache / IMDB_ARCHIVE
    if not archive.is_file():
        if not config.download:
            raise UserError(f"{archive}: not found and data.download is false; set data.path")
        download(IMDB_URL, archive, IMDB_SHA256, show_progress)
    return _extract_verified(archive, extracted)


def _extract_verified(archive: Path, target: Path) -> Path:
    actual = sha256_of(archive)
    if actual != IMDB_SHA256:
        raise UserError(
            f"{archive}: SHA-256 mismatch: expected {IMDB_SHA256}, got {actual}; "
            "delete the file and download it again"
        )
    return safe_extract(archive, target) / "aclImdb"


def read_imdb_folder(root: Path, split: str) -> Split:
    """Reviews of one split from aclImdb/<split>/{neg,pos}/<id>_<rating>.txt, in file order."""
    texts, labels = [], []
    for folder, label in IMDB_LABELS.items():
        directory = root / split / folder
        if not directory.is_dir():
            raise UserError(f"{directory}: missing; expected the aclImdb/{split}/{folder} folder")
        for path in sorted(directory.glob("*.txt"), key=_review_id):
            texts.append(decode_utf8(path.read_bytes(), str(path)))
            labels.append(label)
    return drop_bad_rows(texts, labels, str(root / split), skip=True)


def read_imdb_unsup(root: Path) -> list[str]:
    """The 50,000 unlabelled reviews of aclImdb/train/unsup, for later use (pretraining)."""
    paths = sorted((root / "train" / "unsup").glob("*.txt"), key=_review_id)
    return [decode_utf8(path.read_bytes(), str(path)) for path in paths]


def _review_id(path: Path) -> tuple[int, str]:
    stem = path.stem.split("_")[0]
    return (int(stem), path.name) if stem.isdigit() else (-1, path.name)


def read_imdb(config: DataConfig, show_progress: bool = True) -> Splits:
    """The official split, from the archive layout or a folder of train/test.csv(.gz) files."""
    if config.path is not None and _csv_form(config.path, "train"):
        train, test = (_read_imdb_csv(_csv_form(config.path, name)) for name in ("train", "test"))
        return train, None, test
    root = locate_imdb(config, show_progress)
    return read_imdb_folder(root, "train"), None, read_imdb_folder(root, "test")


def _csv_form(folder: Path, split: str) -> Path | None:
    """`train.csv.gz` / `train.csv` with columns text,label (pos/neg), as in shared/datasets."""
    for name in (f"{split}.csv.gz", f"{split}.csv"):
        if (folder / name).is_file():
            return folder / name
    return None


def _read_imdb_csv(path: Path | None) -> Split:
    from sentiment_rnn.data.split import read_split

    if path is None:
        raise UserError("IMDB CSV form: train.csv(.gz) found but no test.csv(.gz) beside it")
    split = read_split(path)
    unknown = sorted(set(split.labels) - set(IMDB_LABELS))
    if unknown:
        raise UserError(f"{path}: label(s) {unknown}; the IMDB CSV form has pos and neg")
    split.labels = [IMDB_LABELS[label] for label in split.labels]
    return split


def read_sst2(config: DataConfig) -> Splits:
    """GLUE SST-2 TSVs: train.tsv is train; dev.tsv is our test (GLUE hides test labels)."""
    assert config.path is not None
    return (
        _read_sst2_file(config.path / "train.tsv", config.skip_bad_rows),
        None,
        _read_sst2_file(config.path / "dev.tsv", config.skip_bad_rows),
    )


def _read_sst2_file(path: Path, skip: bool) -> Split:
    from sentiment_rnn.files import read_text_file

    lines = read_text_file(path).splitlines()
    if not lines or lines[0].split("\t") != ["sentence", "label"]:
        raise UserError(f"{path}: expected the GLUE SST-2 header 'sentence<TAB>label'")
    texts, labels = [], []
    for number, line in enumerate(lines[1:], start=2):
        sentence, _, label = line.rpartition("\t")  # sentences are not quoted: no csv here
        if label not in BINARY_LABELS:
            raise UserError(f"{path}, line {number}: label {label!r}; expected 0 or 1")
        texts.append(sentence)
        labels.append(BINARY_LABELS[label])
    return drop_bad_rows(texts, labels, str(path), skip, header_lines=1)


def read_rotten_tomatoes(config: DataConfig) -> Splits:
    """rt-polarity.pos / rt-polarity.neg (cp1252, one sentence a line): train only."""
    assert config.path is not None
    folder = config.path / "rt-polaritydata" if (config.path / "rt-polaritydata").is_dir() else config.path
    texts, labels = [], []
    for suffix, label in (("neg", "negative"), ("pos", "positive")):
        path = folder / f"rt-polarity.{suffix}"
        try:
            lines = path.read_bytes().decode("cp1252", errors="strict").splitlines()
        except FileNotFoundError:
            raise UserError(f"{path}: file not found (expected rt-polarity.pos and .neg)") from None
        except UnicodeDecodeError as err:
            raise UserError(f"{path}: not cp1252 at byte {err.start}") from None
        texts += lines
        labels += [label] * len(lines)
    return drop_bad_rows(texts, labels, str(folder), config.skip_bad_rows), None, None


def read_huggingface(config: DataConfig) -> Splits:
    """A Hugging Face dataset by name, or a local `save_to_disk` folder (needs `datasets`)."""
    try:
        import datasets
    except ImportError:
        raise UserError(
            "data.source 'huggingface' needs the `datasets` package: pip install 'sentiment-rnn[hf]'"
        ) from None
    name = config.hf_name
    assert name is not None
    try:
        loaded = datasets.load_from_disk(name) if Path(name).is_dir() else datasets.load_dataset(name)
    except Exception as err:  # the library raises many types: name them all the same way
        raise UserError(f"data.hf_name {name!r}: cannot load ({err})") from None
    splits = {key: _hf_split(loaded[key], name, key, config) for key in loaded if key != "unsupervised"}
    if "train" not in splits:
        raise UserError(f"data.hf_name {name!r}: no 'train' split; found {sorted(splits)}")
    return splits["train"], splits.get("validation"), splits.get("test")


def _hf_split(table, name: str, key: str, config: DataConfig) -> Split:
    for column in (config.text_column, config.label_column):
        if column not in table.column_names:
            raise UserError(
                f"data.hf_name {name!r}, split {key!r}: no column {column!r}; "
                f"columns found: {', '.join(table.column_names)}"
            )
    feature = table.features[config.label_column]
    names = getattr(feature, "names", None)
    raw = table[config.label_column]
    labels = [names[v] if names and isinstance(v, int) and v >= 0 else _text(v) for v in raw]
    texts = [_text(v) for v in table[config.text_column]]
    return drop_bad_rows(texts, labels, f"{name}[{key}]", config.skip_bad_rows)


def _text(value: object) -> str:
    return "" if value is None else str(value)
