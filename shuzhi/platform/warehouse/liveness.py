"""Which process holds a long piece of work (a load, an accounting run), and whether it still
runs — so that work a killed process left behind is recognised and cleaned up, and work a live
process holds is waited for."""

from __future__ import annotations

import os
import socket


def this_process() -> str:
    """``host:pid`` of the running process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_alive(holder: str) -> bool:
    """Whether the process ``holder`` (from ``this_process``) still runs (only knowable on this
    host; another host's holder counts as gone)."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True  # another thread of this process
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
