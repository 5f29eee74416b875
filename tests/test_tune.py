"""`sentiment-rnn tune`: the search space's checks, a study on the bundled corpus, pruning,
the baseline, best.yaml, and `tune show`."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import ASPECTS, NEGATIVE, POSITIVE, TINY_CONFIG, write_csv
from sentiment_rnn.cli import app
from sentiment_rnn.config import load_config
from sentiment_rnn.errors import UserError
from sentiment_rnn.tuning.space import from_optuna, load_space

optuna = pytest.importorskip("optuna", reason="the [tune] extra is not installed")

REPO = Path(__file__).resolve().parents[1]
FAST = {"epochs": 2, "batch_size": 32, "lr": 0.01, "patience": None, "device": "cpu",
        "num_threads": 1, "metric": "accuracy"}


def bundled_config(tmp_path: Path) -> Path:
    """The bundled corpus (data/) with a model small enough for a trial in about a second."""
    config = {
        "name": "bundled", "seed": 3,
        "data": {split: str(REPO / "data" / f"{split}.csv") for split in ("train", "dev", "test")},
        "tokenizer": {"max_length": 40},
        "model": {"cell": "gru", "embedding_dim": 8, "hidden_size": 8, "bidirectional": False},
        "training": FAST,
    }
    path = tmp_path / "bundled.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def easy_rows(n: int, seed: int) -> list[tuple[str, str]]:
    """Reviews without negation: a small GRU learns them in an epoch at a good learning rate."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        label = rng.choice(["negative", "positive"])
        adjective = rng.choice(POSITIVE if label == "positive" else NEGATIVE)
        rows.append((f"the {rng.choice(ASPECTS)} was {adjective}", label))
    return rows


def tiny_config_file(tmp_path: Path) -> Path:
    data = {split: str(write_csv(tmp_path / "data" / f"{split}.csv", easy_rows(n, seed)))
            for seed, (split, n) in enumerate((("train", 160), ("dev", 40), ("test", 40)))}
    config = {
        **TINY_CONFIG, "data": data,
        "model": {"cell": "gru", "embedding_dim": 8, "hidden_size": 8, "bidirectional": False},
        "training": {**TINY_CONFIG["training"], "epochs": 2, "lr": 0.05, "schedule": "constant",
                     "metric": "accuracy"},
    }
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def write_space(tmp_path: Path, text: str, name: str = "space.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def tune(*args: str) -> object:
    return CliRunner().invoke(app, ["tune", *map(str, args)])


def load(storage: str, name: str):
    return optuna.load_study(study_name=name, storage=storage)


# --- the search space ------------------------------------------------------------------------

BAD_SPACES = [
    ("training.lrr: {low: 0.001, high: 0.01}", "unknown key 'training.lrr' (did you mean 'lr'?)"),
    ("modle.cell: [gru, lstm]", "unknown key 'modle'"),
    ("training.lr: {low: 0.01, high: 0.001}", "training.lr: empty range: low 0.01 is not below high 0.001"),
    ("training.lr: {low: 0.01, high: 0.01}", "empty range"),
    ("model.hidden_size: {low: 8.5, high: 32}", "model.hidden_size is an integer setting"),
    ("model.cell: {low: 1, high: 3}", "a range needs a numeric setting, and model.cell is a choice of names"),
    ("model.cell: [gru, transformer]", "model.cell: Input should be 'rnn', 'lstm' or 'gru' (got 'transformer')"),
    ("training.lr: [fast, slow]", "training.lr: Input should be a valid number"),
    ("model.dropout: {low: 0.1, high: 1.5}", "model.dropout: Input should be less than 1 (got 1.5)"),
    ("training.lr: {low: 0, high: 0.1, log: true}", "a log-scale range needs low > 0"),
    ("training.lr: {low: 0.001, high: 0.1, step: 2}", "unknown range key 'step' (accepted: low, high, log)"),
    ("training.lr: {low: 0.001}", "a range needs both low and high"),
    ("training.lr: {low: x, high: 0.1}", "low must be a finite number, got 'x'"),
    ("training.lr: 0.01", "expected a range {low: ..., high: ...[, log: true]} or a list of choices"),
    ("model.cell: []", "the list of choices is empty"),
    ("model.cell: [gru, gru]", "a choice is listed twice"),
    ("training: {lr: 0.01}", "key 'training': expected a dotted config key"),
    ("baseline.C: [1, 2]\nmodel.cell: [gru]", "a study tunes one model"),
    ("", "the search space is empty"),
    ("[1, 2]", "the top level must be a mapping"),
]


@pytest.mark.parametrize(("text", "message"), BAD_SPACES)
def test_a_bad_space_is_one_line_naming_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    space = write_space(tmp_path, text)
    result = tune("--config", tiny_config_file(tmp_path), "--space", space, "--storage",
                  f"sqlite:///{tmp_path / 'never.db'}")
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {space}"), result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "never.db").exists()  # refused before the study is opened


def test_a_space_reads_ranges_log_scales_integers_and_list_choices(tmp_path: Path) -> None:
    text = ("data.dev_fraction: {low: 0.001, high: 0.01, log: true}\n"
            "baseline.min_df: {low: 8, high: 64}\n"
            "baseline.ngram_range: [[1, 2], [1, 3]]\n"
            "seed: [1, 2]\n")
    base = load_config(tiny_config_file(tmp_path)).model_dump(mode="json")
    space = load_space(write_space(tmp_path, text), base)
    fraction, min_df, ngrams, seed = space.params
    assert (fraction.low, fraction.high, fraction.log, fraction.integer) == (0.001, 0.01, True, False)
    assert (min_df.low, min_df.high, min_df.integer) == (8, 64, True)
    assert ngrams.optuna_choices() == ("[1, 2]", "[1, 3]")  # Optuna stores scalars
    assert from_optuna(ngrams, "[1, 3]") == [1, 3]
    assert seed.choices == (1, 2) and space.kind == "baseline"


def test_the_space_file_is_read_safely(tmp_path: Path) -> None:
    space = write_space(tmp_path, "a: &x [1]\nmodel.cell: *x\n")
    with pytest.raises(UserError, match="aliases"):
        load_space(space, {})


# --- a study ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_study_on_the_bundled_corpus_runs_and_its_best_config_trains_the_same(tmp_path: Path) -> None:
    space = write_space(tmp_path, "training.lr: {low: 0.003, high: 0.03, log: true}\n"
                                  "model.hidden_size: [8, 12]\n")
    storage = f"sqlite:///{tmp_path / 'tune.db'}"
    result = tune("--config", bundled_config(tmp_path), "--space", space, "--trials", 3,
                  "--storage", storage, "--study", "s1", "--pruner", "none")
    assert result.exit_code == 0, result.output
    study = load(storage, "s1")
    trials = study.get_trials()
    assert [t.state.name for t in trials] == ["COMPLETE"] * 3
    for trial in trials:
        run_dir = Path(trial.user_attrs["run_dir"])
        assert run_dir == (tmp_path / "runs" / "tune-s1" / f"trial-{trial.number:04d}").resolve()
        metrics = json.loads((run_dir / "metrics.json").read_text())
        assert metrics["test"] is None  # the test split is never scored while tuning
        assert metrics["dev"]["accuracy"] == pytest.approx(trial.value)
        assert (run_dir / "meta.json").is_file() and not (run_dir / "checkpoint.safetensors").exists()
        history = [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines()]
        assert trial.intermediate_values == {r["epoch"]: r["dev_accuracy"] for r in history}
        config = yaml.safe_load((run_dir / "config.yaml").read_text())
        assert config["training"]["lr"] == pytest.approx(trial.params["training.lr"])
        assert config["model"]["hidden_size"] == trial.params["model.hidden_size"]
    best = study.best_trial
    assert f"best: trial {best.number}, dev accuracy {best.value:.4f}" in result.stdout
    best_yaml = tmp_path / "runs" / "tune-s1" / "best.yaml"
    retrained = CliRunner().invoke(app, ["train", "--config", str(best_yaml), "--output", str(tmp_path / "again")])
    assert retrained.exit_code == 0, retrained.output
    again = json.loads((tmp_path / "again" / "metrics.json").read_text())
    assert again["dev"]["accuracy"] == pytest.approx(best.value)  # training is deterministic

    rerun = tune("--config", bundled_config(tmp_path), "--space", space, "--trials", 3,
                 "--storage", storage, "--study", "s1", "--pruner", "none")
    assert rerun.exit_code == 0 and "3 of 3 trials finished" in rerun.stdout
    assert len(load(storage, "s1").get_trials()) == 3  # nothing run twice

    other = tune("--config", bundled_config(tmp_path), "--space", space, "--trials", 3,
                 "--storage", storage, "--study", "s1", "--set", "seed=4")
    assert other.exit_code == 1 and "was started with another config" in other.stderr


@pytest.mark.slow
def test_median_pruning_stops_a_poor_trial_after_its_first_epoch(tmp_path: Path) -> None:
    config = tiny_config_file(tmp_path)
    storage = f"sqlite:///{tmp_path / 'tune.db'}"
    study = optuna.create_study(study_name="p", storage=storage, direction="maximize")
    for _ in range(5):  # five good trials set the median; a sixth that cannot learn is pruned
        study.enqueue_trial({"training.lr": 0.05})
    study.enqueue_trial({"training.lr": 1e-6})
    space = write_space(tmp_path, "training.lr: {low: 0.000001, high: 0.05, log: true}\n")
    result = tune("--config", config, "--space", space, "--trials", 6, "--storage", storage,
                  "--study", "p", "--pruner", "median")
    assert result.exit_code == 0, result.output
    trials = load(storage, "p").get_trials()
    assert [t.state.name for t in trials] == ["COMPLETE"] * 5 + ["PRUNED"]
    pruned = trials[-1]
    assert list(pruned.intermediate_values) == [1]  # stopped after epoch 1 of 2
    run_dir = Path(pruned.user_attrs["run_dir"])
    assert len((run_dir / "history.jsonl").read_text().splitlines()) == 1
    assert not (run_dir / "checkpoint.safetensors").exists() and not (run_dir / "meta.json").exists()
    assert "pruned: 1 after epoch 1" in result.stdout


@pytest.mark.slow
def test_a_baseline_study_tunes_c_ngrams_and_min_df(tmp_path: Path) -> None:
    space = write_space(tmp_path, "baseline.C: {low: 0.01, high: 10, log: true}\n"
                                  "baseline.ngram_range: [[1, 1], [1, 2]]\n"
                                  "baseline.min_df: {low: 1, high: 3}\n")
    storage = f"sqlite:///{tmp_path / 'tune.db'}"
    result = tune("--config", tiny_config_file(tmp_path), "--space", space, "--trials", 3,
                  "--storage", storage, "--study", "b")
    assert result.exit_code == 0, result.output
    study = load(storage, "b")
    for trial in study.get_trials():
        assert trial.state.name == "COMPLETE"
        run_dir = Path(trial.user_attrs["run_dir"])
        assert json.loads((run_dir / "meta.json").read_text())["kind"] == "baseline"
        config = yaml.safe_load((run_dir / "config.yaml").read_text())["baseline"]
        assert config["ngram_range"] == json.loads(trial.params["baseline.ngram_range"])
        assert config["min_df"] == trial.params["baseline.min_df"] in (1, 2, 3)
        assert json.loads((run_dir / "metrics.json").read_text())["test"] is None
    best_yaml = tmp_path / "runs" / "tune-b" / "best.yaml"
    assert "sentiment-rnn baseline --config" in result.stdout
    again = CliRunner().invoke(app, ["baseline", "--config", str(best_yaml), "--output", str(tmp_path / "again")])
    assert again.exit_code == 0, again.output
    metrics = json.loads((tmp_path / "again" / "metrics.json").read_text())
    assert metrics["dev"]["accuracy"] == pytest.approx(study.best_value)


@pytest.mark.slow
def test_tune_show_lists_trials_importances_and_draws_optunas_plots(tmp_path: Path) -> None:
    space = write_space(tmp_path, "training.lr: {low: 0.001, high: 0.03, log: true}\n"
                                  "model.hidden_size: [8, 16]\n")
    storage = f"sqlite:///{tmp_path / 'tune.db'}"
    assert tune("--config", tiny_config_file(tmp_path), "--space", space, "--trials", 3,
                "--storage", storage, "--study", "v").exit_code == 0
    shown = tune("show", "--study", "v", "--storage", storage, "--format", "json",
                 "--plot", tmp_path / "plots")
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.stdout)
    study = load(storage, "v")
    assert [t["number"] for t in report["trials"]] == [0, 1, 2]
    for row, trial in zip(report["trials"], study.get_trials()):
        assert row["state"] == "complete" and row["value"] == trial.value
        assert row["params"] == trial.params
        assert row["dev_by_epoch"] == {str(k): v for k, v in trial.intermediate_values.items()}
    assert set(report["importances"]) == {"training.lr", "model.hidden_size"}
    assert report["best"]["number"] == study.best_trial.number
    assert len(report["plots"]) == 4
    for path in report["plots"]:
        assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = tune("show", "--study", "v", "--storage", storage)
    assert table.exit_code == 0 and "parameter importances" in table.stdout
    assert "training.lr" in table.stdout and "complete" in table.stdout
    pytest.importorskip("plotly")
    html = tune("show", "--study", "v", "--storage", storage, "--plot", tmp_path / "html",
                "--plot-format", "html")
    assert html.exit_code == 0, html.output
    assert "<html" in (tmp_path / "html" / "optimization_history.html").read_text()[:2000].lower()


def test_tune_show_names_the_missing_study_and_a_bad_storage(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'tune.db'}"
    optuna.create_study(study_name="there", storage=storage)
    result = tune("show", "--study", "nope", "--storage", storage)
    assert result.exit_code == 1
    assert "no study named 'nope' (studies there: there)" in result.stderr
    bad = tune("show", "--study", "x", "--storage", "nosuchdb://x")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: --storage 'nosuchdb://x'")
    assert len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("space", "config"),
    [("imdb-quick", "imdb-quick"), ("default", "default"), ("baseline", "default"),
     ("baseline", "imdb-quick")],
)
def test_the_shipped_spaces_fit_their_configs_and_open_with_their_command(space: str, config: str) -> None:
    path = REPO / "configs" / "spaces" / f"{space}.yaml"
    base = load_config(REPO / "configs" / f"{config}.yaml").model_dump(mode="json")
    loaded = load_space(path, base)
    assert loaded.kind == ("baseline" if space == "baseline" else "rnn")
    assert "sentiment-rnn tune" in path.read_text().split("\n\n")[0]


def test_a_missing_optuna_or_plotly_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = f"sqlite:///{tmp_path / 'tune.db'}"
    study = optuna.create_study(study_name="done", storage=storage, direction="maximize")
    study.add_trial(optuna.trial.create_trial(
        params={"training.lr": 0.01}, value=0.5,
        distributions={"training.lr": optuna.distributions.FloatDistribution(0.001, 0.1)}))
    monkeypatch.setitem(sys.modules, "plotly", None)  # as if not installed
    html = tune("show", "--study", "done", "--storage", storage, "--plot", tmp_path / "p",
                "--plot-format", "html")
    assert html.exit_code == 1
    assert html.stderr == 'error: HTML plots need plotly, which is not installed: pip install -e ".[tune]"\n'
    monkeypatch.setitem(sys.modules, "optuna", None)
    space = write_space(tmp_path, "training.lr: {low: 0.001, high: 0.01}\n")
    for args in (["--config", tiny_config_file(tmp_path), "--space", space],
                 ["show", "--study", "done", "--storage", storage]):
        result = tune(*args)
        assert result.exit_code == 1
        assert result.stderr == ('error: tuning needs Optuna, which is not installed: '
                                 'pip install -e ".[tune]"\n')


def test_a_trial_started_when_the_others_already_make_n_is_surplus() -> None:
    from sentiment_rnn.tuning.trials import is_surplus

    study = optuna.create_study(direction="maximize")
    for value in (0.5, 0.6):
        trial = study.ask()
        study.tell(trial, value)
    third, fourth = study.ask(), study.ask()  # two processes start at the same moment
    assert not is_surplus(study, third, 3)  # the earlier number runs
    assert is_surplus(study, fourth, 3)  # the later one would make four
    assert not is_surplus(study, fourth, 4)
    study.tell(third, state=optuna.trial.TrialState.FAIL)
    assert not is_surplus(study, fourth, 3)  # a failed trial does not count
    study.enqueue_trial({"x": 1.0})  # a lost trial queued again counts: it will run
    assert is_surplus(study, fourth, 3)


def test_processes_creating_a_new_storage_at_once_all_open_it(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sentiment_rnn.tuning.storage import open_storage

    for round_ in range(3):  # the tables of a new database are created by whoever comes first
        url = f"sqlite:///{tmp_path / f'new{round_}.db'}"
        with ThreadPoolExecutor(4) as pool:
            storages = list(pool.map(open_storage, [url] * 4))
        assert len(storages) == 4
        assert optuna.create_study(storage=storages[0]).study_name
