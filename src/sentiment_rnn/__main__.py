"""`python -m sentiment_rnn` runs the command-line interface."""

from sentiment_rnn.cli import main

main()
