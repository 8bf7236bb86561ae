"""The command lines of the platform's Celery workers, for `make run` and the test suite."""

import sys

QUEUES = "default,ingest,convert,export"


def worker_command(name: str, queues: str = QUEUES) -> list[str]:
    """A Celery worker in the solo pool: one job at a time in the worker's own, non-daemonic
    process, so that de-identification may start its process pool. Run several for concurrency."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "annotation_platform",
        "worker",
        "--queues",
        queues,
        "--pool",
        "solo",
        "--hostname",
        f"{name}@%h",
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
    ]


def die_with_parent() -> None:
    """Ask Linux to stop this process when its parent dies (a `preexec_fn` for Popen), so a
    killed test run or `make run` leaves no orphaned worker consuming jobs."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return
    PR_SET_PDEATHSIG = 1  # noqa: N806 - the name from <sys/prctl.h>
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
