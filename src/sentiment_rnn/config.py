"""The configuration schema, `load_config` and its error messages (YAML reading and `--set`
overrides: `config_file.py`).

One typed schema (pydantic) with defaults is the only source of truth for settings: the CLI adds
no flag of its own for any of them. Every problem in a config is collected into one message."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sentiment_rnn.config_errors import describe
from sentiment_rnn.config_file import PlainFileName, apply_override, read_yaml_mapping, two_columns
from sentiment_rnn.errors import UserError

DEFAULT_CONFIG = Path("configs/default.yaml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class DataConfig(_Section):
    """Where the labelled reviews come from (docs/data.md has every source)."""

    source: Literal["files", "imdb", "sst2", "rotten_tomatoes", "huggingface"] = "files"
    # source "files": the splits' files (.csv, .tsv, .jsonl, .parquet; .gz for the text forms)
    train: Path | None = Path("data/train.csv")
    dev: Path | None = Path("data/dev.csv")  # null: carve dev_fraction of train
    test: Path | None = Path("data/test.csv")  # null: carve test_fraction of train (0: no test)
    format: Literal["auto", "csv", "tsv", "jsonl", "parquet"] = "auto"  # auto: from the suffix
    text_column: str = "text"
    label_column: str = "label"
    labels: list[str] | None = None  # class order; default: sorted labels of the training split
    label_map: dict[str, str] | None = None  # rename labels on reading, e.g. {neg: negative}
    dev_fraction: float = Field(0.1, gt=0, lt=1)
    test_fraction: float = Field(0.1, ge=0, lt=1)
    # seeds the dev and test carves alone; null: the run's `seed`. Fixing it lets runs of other
    # seeds share one dev split (a second fine-tuning seed on language models pretrained once)
    split_seed: int | None = Field(None, ge=0, lt=2**63)
    skip_bad_rows: bool = False  # rows with empty text or no label: error (false) or skip (true)
    # files of labelled texts added to the training split after dev and test are carved (any
    # source; the classes must be the source's): e.g. the bundled corpus mixed into IMDB
    extra_train: list[Path] = []
    # sources "imdb", "sst2", "rotten_tomatoes": the archive or folder; imdb: null downloads
    path: Path | None = None
    cache_dir: Path | None = None  # imdb download cache; null: ~/.cache/sentiment-rnn
    download: bool = True  # imdb: may the archive be downloaded when it is not in the cache
    hf_name: str | None = None  # source "huggingface": a dataset name or a local directory

    @model_validator(mode="after")
    def _check_source(self) -> DataConfig:
        split_keys = ("train", "dev", "test")
        if self.source == "files":
            if self.train is None:
                raise ValueError("data.train is required when data.source is 'files'")
            return self
        given = [key for key in split_keys if key in self.model_fields_set and getattr(self, key)]
        if given:
            raise ValueError(
                f"data.{given[0]} is for data.source 'files'; source {self.source!r} has its own "
                "splits (set data.path instead)"
            )
        for key in split_keys:  # the bundled corpus defaults mean nothing for other sources
            object.__setattr__(self, key, None)
        if self.source == "huggingface" and not self.hf_name:
            raise ValueError("data.hf_name is required when data.source is 'huggingface'")
        if self.source in ("sst2", "rotten_tomatoes") and self.path is None:
            raise ValueError(f"data.path (the {self.source} folder) is required for that source")
        return self


class TokenizerConfig(_Section):
    """Word-level tokenizer and vocabulary (Hugging Face `tokenizers`)."""

    lowercase: bool = True
    min_freq: int = Field(1, ge=1)
    max_size: int | None = Field(30_000, ge=3)  # vocabulary size including <pad> and <unk>
    max_length: int | None = Field(None, ge=1)  # tokens kept per text; null keeps all
    truncation: Literal["head", "tail", "head_tail"] = "head_tail"
    fit_texts: int | None = Field(None, ge=1)  # vocabulary from at most this many train texts


class ModelConfig(_Section):
    """Embedding -> recurrent encoder -> masked pooling -> linear head."""

    cell: Literal["rnn", "lstm", "gru"] = "lstm"
    embedding_dim: int = Field(64, ge=1, le=4096)
    hidden_size: int = Field(64, ge=1, le=8192)
    num_layers: int = Field(1, ge=1, le=8)
    bidirectional: bool = True
    dropout: float = Field(0.3, ge=0, lt=1)
    pooling: Literal["last", "mean", "max", "mean_max"] = "mean_max"
    pretrained_embeddings: Path | None = None  # GloVe or word2vec text file
    freeze_embeddings: bool = False
    embedding_per_direction: bool = False  # bidirectional: each direction its own embedding
    init_from: Path | None = None  # a `pretrain` run: its tokenizer, embedding, LSTM weights
    init_lstm: bool = True  # with init_from: the LSTM weights too (false: the embedding alone)

    @model_validator(mode="after")
    def _check_embedding_per_direction(self) -> ModelConfig:
        if self.embedding_per_direction and not self.bidirectional:
            raise ValueError("model.embedding_per_direction needs model.bidirectional: true")
        if not self.init_lstm and self.init_from is None:
            raise ValueError(
                "model.init_lstm: false chooses what model.init_from copies; set model.init_from "
                "to a pretrain run, or leave init_lstm out"
            )
        if self.pretrained_embeddings is not None and (self.init_from or self.embedding_per_direction):
            raise ValueError(
                "model.pretrained_embeddings goes with neither model.init_from (which brings its "
                "own embedding) nor model.embedding_per_direction; set one of them"
            )
        return self


class TrainingConfig(_Section):
    """The optimisation loop."""

    epochs: int = Field(10, ge=1, le=1000)
    batch_size: int = Field(32, ge=1)
    lr: float = Field(3e-3, gt=0, le=10)
    weight_decay: float = Field(0.01, ge=0)
    schedule: Literal["onecycle", "warmup_linear", "slanted_triangular", "constant"] = "onecycle"
    warmup_fraction: float = Field(0.1, ge=0, lt=1)
    discriminative_lr: float | None = Field(None, ge=1)  # each layer group below: lr / this
    gradual_unfreezing: bool = False  # epoch 1 trains the head, each later epoch a group more
    clip_grad_norm: float | None = Field(1.0, gt=0)
    patience: int | None = Field(3, ge=1)  # epochs without dev improvement before stopping
    metric: Literal["accuracy", "macro_f1"] = "macro_f1"
    device: str = "auto"
    num_threads: int | None = Field(None, ge=1)

    @field_validator("device")
    @classmethod
    def _check_device(cls, value: str) -> str:
        if not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", value):
            raise ValueError("should be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'")
        return value


# Chosen on the IMDB dev split (docs/compare.md); C matters most and differs by kind.
BASELINE_DEFAULT_C = {"tfidf_logreg": 16.0, "nbsvm": 0.3}


class BaselineConfig(_Section):
    """The scikit-learn bag-of-words baseline, trained on the same splits as the RNN."""

    kind: Literal["tfidf_logreg", "nbsvm"] = "nbsvm"
    ngram_range: tuple[int, int] = (1, 3)
    min_df: int = Field(3, ge=1)
    max_features: int | None = Field(None, ge=1)
    lowercase: bool = True
    sublinear_tf: bool = True  # tfidf_logreg: 1 + log(tf)
    stop_words: Literal["english"] | None = None  # scikit-learn's list minus negations etc.
    C: float | None = Field(None, gt=0)  # inverse regularisation; null: the kind's default
    max_iter: int = Field(1000, ge=1)
    nb_alpha: float = Field(0.5, gt=0)  # nbsvm: smoothing of the Naive Bayes log-count ratio

    @field_validator("ngram_range")
    @classmethod
    def _check_ngram_range(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not 1 <= value[0] <= value[1] <= 5:
            raise ValueError("should be [min_n, max_n] with 1 <= min_n <= max_n <= 5")
        return value

    @model_validator(mode="after")
    def _default_c(self) -> BaselineConfig:
        if self.C is None:  # the resolved config shows the number actually used
            object.__setattr__(self, "C", BASELINE_DEFAULT_C[self.kind])
        return self


class TrackingConfig(_Section):
    """Run tracking (off by default): TensorBoard event files and/or an MLflow tracking store."""

    tensorboard: bool = False  # event files in <run dir>/tensorboard; needs the [tracking] extra
    mlflow: str | None = None  # tracking URI, e.g. sqlite:///mlflow.db or http://host:5000
    mlflow_experiment: str | None = None  # null: the config's name
    log_every: int = Field(1, ge=1)  # log the per-step figures every N optimizer steps


class PretrainConfig(_Section):
    """`sentiment-rnn pretrain`: forward and backward LSTM language models (docs/pretraining.md).

    The language models take their sizes from the `model` section (cell must be lstm), so
    that `train --set model.init_from=RUN` fits them; the tokenizer is built by the `tokenizer`
    section from the stream's texts.
    """

    unlabeled: list[Path] = []  # unlabelled texts: .txt (one per line) or a csv/tsv/jsonl text column
    imdb_unsup: bool = True  # data.source imdb: add the 50,000 unlabelled reviews of data.path
    directions: Literal["both", "forward", "backward"] = "both"
    processes: int = Field(1, ge=1, le=2)  # 2: one process per direction (directions: both)
    valid_fraction: float = Field(0.02, gt=0, lt=0.5)  # held-out texts for validation perplexity
    epochs: int = Field(1, ge=1, le=1000)  # passes over the token stream
    max_minutes: float | None = Field(None, gt=0)  # time budget: stop at a step boundary, save
    bptt: int = Field(70, ge=2, le=10_000)  # steps of truncated backpropagation through time
    batch_size: int = Field(32, ge=1)  # parallel streams
    lr: float = Field(3e-3, gt=0, le=10)
    weight_decay: float = Field(0.0, ge=0)
    warmup_fraction: float = Field(0.02, ge=0, lt=1)  # then linear decay to 0 over all epochs
    clip_grad_norm: float | None = Field(1.0, gt=0)
    embedding_dropout: float = Field(0.1, ge=0, lt=1)  # whole words dropped from the vocabulary
    input_dropout: float = Field(0.25, ge=0, lt=1)  # on embeddings, same mask at every step
    hidden_dropout: float = Field(0.2, ge=0, lt=1)  # between LSTM layers
    output_dropout: float = Field(0.25, ge=0, lt=1)  # on the last LSTM layer's outputs
    softmax: Literal["adaptive", "full"] = "adaptive"
    cutoffs: list[int] = [2000, 10000]  # adaptive softmax clusters (ids by frequency)
    div_value: float = Field(4.0, ge=1)
    checkpoint_every: int = Field(500, ge=1)  # steps between checkpoints and validations

    @field_validator("cutoffs")
    @classmethod
    def _check_cutoffs(cls, value: list[int]) -> list[int]:
        if not value or value[0] < 1 or any(a >= b for a, b in zip(value, value[1:], strict=False)):
            raise ValueError("should be increasing token ids above 0, e.g. [2000, 10000]")
        return value


class Config(_Section):
    """A whole experiment: data, tokenizer, model, training, and the baseline beside it."""

    name: PlainFileName = "run"
    seed: int = Field(13, ge=0, lt=2**63)  # torch.manual_seed accepts this range
    data: DataConfig = DataConfig()
    tokenizer: TokenizerConfig = TokenizerConfig()
    model: ModelConfig = ModelConfig()
    training: TrainingConfig = TrainingConfig()
    baseline: BaselineConfig = BaselineConfig()
    tracking: TrackingConfig = TrackingConfig()
    pretrain: PretrainConfig = PretrainConfig()

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)

    def with_absolute_paths(self) -> Config:
        """The same config with every file path resolved against the current directory."""
        data = self.data.model_copy(
            update={
                **{key: getattr(self.data, key).resolve()
                   for key in ("train", "dev", "test", "path", "cache_dir")
                   if getattr(self.data, key) is not None},
                "extra_train": [path.resolve() for path in self.data.extra_train],
            }
        )
        model = self.model.model_copy(
            update={key: getattr(self.model, key).resolve()
                    for key in ("pretrained_embeddings", "init_from")
                    if getattr(self.model, key) is not None}
        )
        pretrain = self.pretrain.model_copy(
            update={"unlabeled": [path.resolve() for path in self.pretrain.unlabeled]}
        )
        return self.model_copy(update={"data": data, "model": model, "pretrain": pretrain})


def load_config(path: Path | None = None, overrides: list[str] | None = None) -> Config:
    """Read a YAML config, apply `key=value` overrides, validate; raise UserError on any problem."""
    if path is None:
        if not DEFAULT_CONFIG.is_file():
            raise UserError(
                f"no --config given and {DEFAULT_CONFIG} not found in {Path.cwd()}: "
                "run from the repository root or pass --config PATH"
            )
        path = DEFAULT_CONFIG
    raw = read_yaml_mapping(path)
    raw.setdefault("name", path.stem)
    for item in overrides or []:
        apply_override(raw, item)
    return two_columns(validate_config(raw, source=str(path)), str(path))


def read_config(path: Path) -> Config:
    """A resolved config as a run saved it (config.yaml): read and validated, no defaults file."""
    return validate_config(read_yaml_mapping(path), source=str(path))


def validate_config(raw: dict[str, Any], source: str) -> Config:
    """Validate a raw mapping against the schema; every problem goes into one message."""
    try:
        return Config.model_validate(raw)
    except ValidationError as err:
        problems = [describe(error, Config) for error in err.errors()]
        raise UserError(f"{source}: " + "; ".join(problems)) from None
