"""``check --jobs N``: the files judged one by one, read and judged in N worker processes.

Only the files that are judged on their own (CloudFormation, plans, ``.json``) go to the workers,
in contiguous chunks of the walk's order; Terraform modules are judged whole by the parent in the
meantime (a module's files, its variables and its callers belong together). The results come back
per file and are put in the walk's order, so the report is the one ``--jobs 1`` gives: the same
findings, errors and exit status, in the same order.

A worker that dies (a crash in a C extension, the out-of-memory killer) breaks its chunk: each file
of that chunk is then read again in a process of its own, and a file that breaks that one too is
reported as an internal error of its own. Nothing waits on a process that is gone.
"""

from __future__ import annotations

import sys

from .rules import RULES
from .scan import FileError, Finding, Options, internal_error, scan_one

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

# Chunks per worker: small enough that a slow file delays little, large enough that sending a chunk
# and its results costs little next to reading it.
CHUNKS_PER_WORKER = 4

_RULE_NUMBER = {id(rule): index for index, rule in enumerate(RULES)}
_options: Options | None = None  # a worker's options, set once when it starts

# A finding as sent back: its rule as an index into RULES (the parent's own Rule objects, not
# copies), then its other fields in __slots__ order.
Sent = tuple[int | object, ...]
Result = tuple[list[Finding], FileError | None]


def _start_worker(options: Options) -> None:
    global _options
    _options = options


def _work(chunk: list[tuple[str, str]]) -> list[tuple[list[Sent], FileError | None]]:
    assert _options is not None
    done = []
    for path, shown in chunk:
        findings, error = scan_one(path, shown, _options)
        done.append(([_sent(finding) for finding in findings], error))
    return done


def _sent(finding: Finding) -> Sent:
    rule = _RULE_NUMBER.get(id(finding.rule), finding.rule)
    return (rule, *finding.field_values()[1:])


def _received(sent: Sent) -> Finding:
    rule = RULES[sent[0]] if isinstance(sent[0], int) else sent[0]
    return Finding(rule, *sent[1:])  # type: ignore[arg-type]


def _context() -> BaseContext:
    import multiprocessing

    # fork: a worker starts with the parent's modules imported (a few ms, not the 50-100 ms of a
    # fresh interpreter). Elsewhere (macOS, Windows) fork is unsafe or missing: spawn.
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def scan_files(files: list[tuple[str, str]], options: Options, workers: int,
               meanwhile: Callable[[], None]) -> list[Result]:
    """(findings, error) for each (path, shown) of ``files``, in order, read in ``workers``
    processes; ``meanwhile`` runs in this process while they work."""
    from concurrent.futures import ProcessPoolExecutor

    from . import cfn, core  # noqa: F401 - imported once here, not once in every worker after the fork

    count = min(len(files), workers * CHUNKS_PER_WORKER)
    size, extra = divmod(len(files), count)
    bounds = []
    start = 0
    for index in range(count):
        end = start + size + (index < extra)
        bounds.append((start, end))
        start = end
    results: list[Result | None] = [None] * len(files)
    broken: list[tuple[int, int]] = []
    with ProcessPoolExecutor(workers, mp_context=_context(), initializer=_start_worker, initargs=(options,)) as pool:
        futures: list[Future] = [pool.submit(_work, files[start:end]) for start, end in bounds]
        meanwhile()
        for (start, end), future in zip(bounds, futures):
            try:
                chunk = future.result()
            except (Exception, SystemExit):  # noqa: BLE001 - a dead worker, a result that cannot be sent: file by file
                broken.append((start, end))
                continue
            for offset, (sent, error) in enumerate(chunk):
                results[start + offset] = ([_received(finding) for finding in sent], error)
    for start, end in broken:
        for index in range(start, end):
            results[index] = _alone(files[index], options)
    return [result if result is not None else ([], None) for result in results]


def _alone(file: tuple[str, str], options: Options) -> Result:
    """One file read in a process of its own: its result, or the internal error that ended it."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=_context(), initializer=_start_worker, initargs=(options,)) as pool:
        try:
            [(sent, error)] = pool.submit(_work, [file]).result()
        except (Exception, SystemExit) as problem:  # noqa: BLE001 - this file ended its process: its own error
            return [], FileError(file[1], internal_error("reading", problem))
    return [_received(finding) for finding in sent], error
