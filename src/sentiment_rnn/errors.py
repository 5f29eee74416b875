"""The one exception type that means "the user gave us something we cannot use"."""


class UserError(Exception):
    """A problem with the user's input (config, data, run directory, text).

    The CLI prints its message as one line on stderr and exits non-zero, without a traceback.
    The message should name the file, key or line, the bad value and what would be accepted.
    """
