"""Writing the report: to standard output, or to ``--output FILE`` atomically and never onto an input.

A report that cannot be written is an error of its own (exit 2), said in one line on stderr:
standard output on a full disk, a report file in a directory we cannot write.
"""

from __future__ import annotations

import os
import sys

from . import escape


def error_line(message: str) -> None:
    """``sagemaker-iac-lint: error: MESSAGE`` on stderr, the message escaped as a text line."""
    _write_stderr(f"sagemaker-iac-lint: error: {escape.text(message)}\n")


def _write_stderr(text: str) -> None:
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except UnicodeEncodeError:  # a stderr that cannot hold the characters: show them escaped
        sys.stderr.write(text.encode("ascii", "backslashreplace").decode("ascii"))
    except OSError:
        pass  # nowhere left to say it; the exit status still does


def write_stderr(text: str) -> None:
    _write_stderr(text)


def write_stdout(text: str) -> str | None:
    """Write ``text`` to standard output; the reason it could not be written, else None."""
    stream = sys.stdout
    try:
        try:
            stream.write(text)
        except UnicodeEncodeError:  # PYTHONIOENCODING or a locale that cannot hold the characters
            stream.write(text.encode(stream.encoding or "ascii", "backslashreplace").decode(stream.encoding or "ascii"))
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        _silence_stdout()
        return f"cannot write standard output: {error.strerror or error}"
    return None


def _silence_stdout() -> None:
    """What is still buffered would be flushed (and fail again, with a traceback) at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError):
        pass


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


_REPORT_STARTS = (b'{\n  "findings": [', b'{\n  "$schema": "https://json.schemastore.org/sarif-2.1.0.json"',
                  b'[\n  {\n    "description": ', b"[]\n",  # json, sarif, gitlab (with issues, and none)
                  b'{\n  "version": 1,\n  "tool": "sagemaker-iac-lint",')  # a baseline


def output_is_an_input(output: str, inputs: list[str]) -> str | None:
    """The input that ``--output`` would overwrite, else None: a file named as input (by any
    spelling, or through a link), or a file the walk of a directory given reads, unless it holds
    one of our own JSON or SARIF reports or baselines (so one can be refreshed where it lies)."""
    try:
        target = os.stat(output)
    except OSError:
        return None  # a file that does not exist is no input
    real_output = os.path.realpath(output)
    for path in inputs:
        try:
            if _same_file(os.stat(path), target):
                return path
        except OSError:
            continue
        if os.path.isdir(path) and real_output.startswith(os.path.realpath(path).rstrip(os.sep) + os.sep):
            import stat

            from .scan import is_candidate

            if stat.S_ISREG(target.st_mode) and is_candidate(os.path.basename(output)) and not _holds_our_report(output):
                return output
    return None


def _holds_our_report(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(80).startswith(_REPORT_STARTS)
    except OSError:
        return False


def write_report_file(path: str, text: str) -> str | None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and a rename, so a
    reader (or a second run) sees the old report or the new one, never a mix. The reason it could
    not be written, else None."""
    import stat
    import tempfile

    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):  # /dev/stdout, a pipe: written to, never replaced
        try:
            with open(path, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
        except OSError as error:
            return f"cannot write {path}: {error.strerror or error}"
        return None
    target = os.path.realpath(path)  # through a link: replace the file it names, not the link
    directory = os.path.dirname(target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=".sagemaker-iac-lint-", suffix=".tmp", dir=directory)
    except OSError as error:
        return f"cannot write {path}: {error.strerror or error}"
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        try:  # keep the permissions a report file made by open() would have
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        except OSError:
            pass
        os.replace(temporary, target)
    except OSError as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return f"cannot write {path}: {error.strerror or error}"
    return None
