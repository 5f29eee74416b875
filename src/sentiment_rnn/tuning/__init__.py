"""Choosing settings on the dev split with Optuna: the search space (`space.py`), the study and
its trials (`study.py`), the database they share (`storage.py`), and `tune show` (`show.py`)."""
