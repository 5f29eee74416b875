"""Labelled texts in: files, named corpora, splits, the tokenizer, the `data` report. No torch."""
