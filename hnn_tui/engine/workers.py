"""Work spread over worker processes, safe to stop: Ctrl+C stops and reaps every worker before it returns, and a
worker whose parent is gone (killed outright) ends itself. Used by `hnn-tui sweep` (engine.sweep)."""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable

ORPHAN_CHECK = 0.25  # seconds between a worker's looks at whether the process that started it is still there


def processes_for(jobs: int, asked: int | None) -> int:
    """The worker processes: as asked (default: the CPUs), at most one per job."""
    return max(1, min(asked or os.cpu_count() or 1, jobs))


def run_in_workers(fn: Callable, items: Iterable, processes: int, each: Callable[[object], None]) -> None:
    """fn(item) for every item in `processes` worker processes; `each` hears every result as it comes (in any
    order). Ctrl+C, or an error (in `each` too): the pool is terminated and joined (no worker left), then the
    KeyboardInterrupt or the error goes on to the caller."""
    items = list(items)
    asked = threading.Event()  # Ctrl+C, noted by the handler and acted on between two waits (below)
    before = _on_ctrl_c(asked)
    pool = multiprocessing.get_context().Pool(processes, initializer=_quiet_worker, initargs=(os.getpid(),))
    try:
        it = pool.imap_unordered(fn, items)
        for _ in items:
            while True:
                if asked.is_set():
                    raise KeyboardInterrupt
                try:
                    result = it.next(timeout=0.1)  # a timed wait: Ctrl+C is seen within 0.1 s
                    break
                except multiprocessing.TimeoutError:
                    continue
            each(result)
    finally:
        pool.terminate()
        pool.join()
        if before is not None:
            signal.signal(signal.SIGINT, before)


def _on_ctrl_c(asked: threading.Event):
    """Ctrl+C sets `asked` instead of raising KeyboardInterrupt wherever the main thread is: raised inside the
    pool's own waits it could leave a lock of the pool held, and terminate() would then wait for ever. Returns the
    handler it replaced (None off the main thread, where Python delivers no signals)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, lambda signum, frame: asked.set())


def _quiet_worker(parent: int) -> None:
    """A worker leaves Ctrl+C to the main process, which stops the pool (no traceback from each worker), and ends
    itself once that process is gone (killed outright, it could not stop the pool: a worker left on a 10^8-step
    run would keep a core busy for hours)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    pause = threading.Event()
    while os.getppid() == parent:  # an orphan is handed to another parent (init, or a subreaper)
        pause.wait(ORPHAN_CHECK)
    os._exit(1)
