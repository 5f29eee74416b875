"""Choosing settings on the dev split with Optuna: the search space (`space.py`), the study
(`study.py`) and one trial (`trials.py`), the database they share (`storage.py`), and
`tune show` (`show.py`)."""
