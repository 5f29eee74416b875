"""sentiment-rnn: recurrent-network sentiment classification for review text."""

__version__ = "0.1.0"
