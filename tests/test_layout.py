"""The package's layout: imports go one way (docs/design.md), no cycle, no torch where none is
needed, no module over ~300 lines."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "sentiment_rnn"
MAX_LINES = 300

# Which parts each part may import (besides itself). Top-level modules are "core".
MAY_IMPORT = {
    "core": {"core"},
    "data": {"core"},
    "render": {"core"},
    "baseline": {"core", "data"},
    "rnn": {"core", "data", "render"},
    "predictors": {"core", "rnn", "baseline"},
    "evaluation": {"core", "data", "render", "rnn", "baseline", "predictors"},
    "cli": {"core", "data", "render", "rnn", "baseline", "predictors", "evaluation"},
    "__main__": {"cli"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, known: set[str]) -> set[str]:
    """The package's modules that `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in known and name.startswith("sentiment_rnn")}
    return found


def graph() -> dict[str, set[str]]:
    known = set(modules())
    return {name: imports(path, known) - {name} for name, path in modules().items()}


def part(name: str) -> str:
    """`sentiment_rnn.rnn.fit` -> "rnn"; a top-level module -> "core" (or its own name)."""
    pieces = name.split(".")
    if len(pieces) == 1:
        return "core"
    if (PACKAGE / pieces[1]).is_dir():
        return pieces[1]
    return pieces[1] if pieces[1] in MAY_IMPORT else "core"


def test_no_import_cycle() -> None:
    edges = {name: {t for t in targets if t != "sentiment_rnn"} for name, targets in graph().items()}
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(edges[name]):
            if state.get(target) == "open":
                cycle = path[path.index(target):] + [target] if target in path else [name, target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, path + [target])
        state[name] = "done"

    for name in edges:
        if name not in state:
            visit(name, [name])


def test_imports_go_one_way() -> None:
    wrong = [
        f"{name} imports {target}"
        for name, targets in graph().items()
        for target in targets
        if target != "sentiment_rnn" and part(target) != part(name)
        and part(target) not in MAY_IMPORT[part(name)]
    ]
    assert not wrong, wrong


def test_every_part_is_known() -> None:
    assert {part(name) for name in modules()} <= set(MAY_IMPORT)


def test_no_module_is_longer_than_300_lines() -> None:
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


TORCH_FREE = """
import sys
from sentiment_rnn.cli import main
for argv in (["--help"], ["predict", "--help"], ["train", "--help"], ["explain", "--help"]):
    sys.argv = ["sentiment-rnn", *argv]
    try:
        main()
    except SystemExit as stop:
        assert stop.code == 0, stop.code
import sentiment_rnn.baseline.model, sentiment_rnn.baseline.train, sentiment_rnn.texts
import sentiment_rnn.render.tables, sentiment_rnn.runs, sentiment_rnn.predictors
print("torch imported:", "torch" in sys.modules)
"""


def test_baseline_texts_and_help_import_no_torch() -> None:
    result = subprocess.run(
        [sys.executable, "-c", TORCH_FREE], capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: sentiment-rnn predict" in result.stdout
    assert result.stdout.rstrip().endswith("torch imported: False"), result.stdout[-500:]


@pytest.mark.slow
def test_a_baseline_predicts_without_torch(tmp_path: Path) -> None:
    """The torch-free path is real: a baseline run, trained and used, with torch never imported."""
    script = f"""
import sys
from pathlib import Path
from sentiment_rnn.baseline.train import train_baseline
from sentiment_rnn.config import validate_config
from sentiment_rnn.predictors import load_predictor
rows = ["text,label"] + [f"a good fine film {{i}},positive" for i in range(30)] \\
    + [f"a bad dull film {{i}},negative" for i in range(30)]
Path({str(tmp_path)!r}, "train.csv").write_text("\\n".join(rows) + "\\n")
config = validate_config({{"data": {{"train": {str(tmp_path / "train.csv")!r}, "dev": None,
    "test": None, "dev_fraction": 0.2, "test_fraction": 0}}}}, "inline")
run_dir, _ = train_baseline(config, Path({str(tmp_path / "run")!r}))
print(load_predictor(run_dir).predict(["a good film"])[0].label)
print("torch imported:", "torch" in sys.modules)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["positive", "torch", "imported:", "False"], result.stdout
