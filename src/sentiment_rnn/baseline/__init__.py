"""The bag-of-words baseline (TF-IDF + logistic regression, NBSVM): features, fitting, the model. No torch."""
