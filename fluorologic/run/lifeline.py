"""A child process (a solve worker, a server process, a solver process) ends when its parent ends, however it ends.

A process started by :mod:`multiprocessing` with the ``spawn`` method (every process fluorologic and uvicorn
start) holds the read end of a pipe whose write end only its parent holds: :func:`die_with_parent` watches it
from a daemon thread, and the pipe reads as closed the moment the parent is gone, even killed with ``kill -9``
and even before the watch starts (a parent killed while the child was still importing). The child then ends
at once with ``os._exit``, so it never holds the caller's standard output, a port or memory as an orphan,
and multiprocessing's resource tracker (whose pipe the children hold too) ends with it. On Linux the kernel
is also asked (``prctl(PR_SET_PDEATHSIG)``) to kill the child when the parent's thread that started it ends:
only for a child started from its parent's main thread, where that thread ends with the process.

Examples
--------
>>> die_with_parent()  # in a process multiprocessing did not start (this one): nothing to watch
False

"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading

__all__ = ["ORPHAN_EXIT", "die_with_parent"]

#: The exit status of a child whose parent was gone.
ORPHAN_EXIT = 70
_PR_SET_PDEATHSIG = 1
_WATCHING: list[int] = []  # the sentinel watched in this process (once per process)


def _kernel_signal() -> None:
    """Linux: SIGKILL when the parent thread that started this process ends (best effort; never raises)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover (no libc prctl)
        pass


def _watch(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])  # readable (closed) only when the parent is gone
    os._exit(ORPHAN_EXIT)


def die_with_parent(*, main_thread_parent: bool = False) -> bool:
    """End this process when the process that started it ends; True when there is a parent to watch.

    ``main_thread_parent`` says the parent started this process from its main thread (uvicorn's supervisor
    does): on Linux the kernel then kills it too, without waiting for the watching thread to run.
    """
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return False
    if main_thread_parent and sys.platform.startswith("linux"):
        _kernel_signal()
    if os.getppid() != parent.pid:  # the parent died before this line: this process was adopted already
        os._exit(ORPHAN_EXIT)
    if not _WATCHING:
        _WATCHING.append(parent.sentinel)
        threading.Thread(target=_watch, args=(parent.sentinel,), daemon=True, name="fluorologic-lifeline").start()
    return True
