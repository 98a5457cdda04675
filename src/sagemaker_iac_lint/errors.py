"""The one exception a reader raises for input it cannot read: the CLI turns it into one line and exit 2."""


class ReadError(Exception):
    """A file that could not be read or parsed. The message names what went wrong, not the file."""
