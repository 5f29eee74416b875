"""Opening an Optuna study in a database, and the bookkeeping that lets processes share it.

A trial records the host and process id that run it. A trial left RUNNING by a process that is
gone (killed, or the machine restarted) is marked failed and queued again with the same
settings: at once when the process was on this host, otherwise when its heartbeat is older than
the grace period. So an interrupted study loses no trial, and two processes never run one twice.
"""

from __future__ import annotations

import os
import socket
import time
import warnings
from typing import Any

from sentiment_rnn.errors import UserError

EXTRA = 'pip install -e ".[tune]"'
HEARTBEAT_SECONDS = 10
GRACE_SECONDS = 60
MAX_RETRIES = 3
OPEN_ATTEMPTS = 5


def import_optuna():
    """optuna, or a one-line error naming the extra that installs it."""
    try:
        import optuna
    except ImportError:
        raise UserError(f"tuning needs Optuna, which is not installed: {EXTRA}") from None
    return optuna


def quiet_optuna() -> None:
    """For the CLI's entry: our own lines say what happens, so Optuna's log and its notices
    about experimental or renamed features stay out of the output."""
    optuna = import_optuna()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"optuna(\.|$)")
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"sentiment_rnn\.tuning")


def retry_callback():
    """Optuna's callback that queues a lost trial again with its settings (renamed in 4.9)."""
    from optuna import storages

    retry = getattr(storages, "RetryHeartbeatStaleTrialCallback", None)
    return (retry or storages.RetryFailedTrialCallback)(max_retry=MAX_RETRIES)


def open_storage(url: str):
    """An Optuna RDB storage for any SQLAlchemy URL, with heartbeats and retries of lost trials."""
    optuna = import_optuna()
    from optuna.storages import RDBStorage

    engine_kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        engine_kwargs = {"connect_args": {"timeout": 120}}  # wait for the other process's write
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return _rdb_storage(RDBStorage, url, engine_kwargs)
        except (ImportError, ValueError, optuna.exceptions.OptunaError) as err:
            raise UserError(f"--storage {url!r}: {_first_line(err)}") from None
        except Exception as err:  # SQLAlchemy's errors: a bad URL, a missing driver, no server
            if not type(err).__module__.startswith("sqlalchemy"):
                raise
            if attempt + 1 < OPEN_ATTEMPTS and _racing(err):
                time.sleep(0.5 * (attempt + 1))  # another process is creating the tables
                continue
            raise UserError(
                f"--storage {url!r}: cannot open the database ({_first_line(err)}); "
                "expected an SQLAlchemy URL such as sqlite:///tune.db"
            ) from None
    raise AssertionError("unreachable")


def _rdb_storage(RDBStorage, url: str, engine_kwargs: dict[str, Any]):
    callback = retry_callback()
    name = ("failed_trial_callback" if type(callback).__name__ == "RetryFailedTrialCallback"
            else "heartbeat_stale_trial_callback")
    return RDBStorage(
        url, engine_kwargs=engine_kwargs, heartbeat_interval=HEARTBEAT_SECONDS,
        grace_period=GRACE_SECONDS, **{name: callback},
    )


def _racing(err: Exception) -> bool:
    """Whether two processes created a new database's tables at once (the later one retries)."""
    text = str(err).lower()
    return any(sign in text for sign in ("unique constraint", "already exists", "locked"))


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def load_existing_study(name: str, url: str):
    """A study that must already exist (for `tune show`)."""
    optuna = import_optuna()
    storage = open_storage(url)
    names = [summary.study_name for summary in optuna.get_all_study_summaries(storage)]
    if name not in names:
        known = ", ".join(names) if names else "none"
        raise UserError(f"--storage {url!r}: no study named {name!r} (studies there: {known})")
    return optuna.load_study(study_name=name, storage=storage)


def mark_owner(trial) -> None:
    trial.set_user_attr("host", socket.gethostname())
    trial.set_user_attr("pid", os.getpid())


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def fail_lost_trials(study, storage) -> list[int]:
    """Mark RUNNING trials of dead processes failed and queue them again; their numbers."""
    optuna = import_optuna()
    from optuna.storages import fail_stale_trials

    State = optuna.trial.TrialState
    host, lost = socket.gethostname(), []
    for trial in study.get_trials(deepcopy=False, states=(State.RUNNING,)):
        pid = trial.user_attrs.get("pid")
        if trial.user_attrs.get("host") == host and isinstance(pid, int) and _process_gone(pid):
            if storage.set_trial_state_values(trial._trial_id, State.FAIL):
                retry_callback()(study, storage.get_trial(trial._trial_id))
                lost.append(trial.number)
    fail_stale_trials(study)  # other hosts: by heartbeat
    return lost
