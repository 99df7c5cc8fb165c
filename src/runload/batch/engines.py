"""Where batch work runs: one small interface, local and Dask implementations.

An :class:`Engine` maps a picklable function over work units (``fn(shared, unit)`` for each
unit, results in the units' order) and is closed when done. ``shared`` is what every unit needs
(the rulebook, the dataset): sent to each worker once where the engine can (Dask scatters it),
not once per unit. A Spark or Ray adapter is one more class with these two methods.

- ``serial``: here, one unit after another (tests, debugging, one core).
- ``process``: a pool of local processes (the standard library's ``concurrent.futures``).
- ``dask``: a Dask cluster at ``--scheduler tcp://host:8786``, or a LocalCluster of
  ``--workers`` processes on this machine (needs ``runload[dask]``).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol

from runload.errors import InputError

ENGINES = ("local", "dask")


class Engine(Protocol):
    """Maps a function over work units; closed when done."""

    name: str

    def map(self, fn: Callable[[Any, Any], Any], units: Sequence[Any], shared: Any = None) -> list[Any]:
        """``[fn(shared, u) for u in units]``, computed wherever the engine runs work."""
        ...

    def close(self) -> None:
        """Release the engine's processes or cluster connection."""
        ...


class SerialEngine:
    """Every unit here, in order."""

    name = "serial"

    def map(self, fn: Callable[[Any, Any], Any], units: Sequence[Any], shared: Any = None) -> list[Any]:
        return [fn(shared, u) for u in units]

    def close(self) -> None:
        pass


_SHARED: Any = None
# A worker's garbage collector looks at its youngest objects after this many allocations (the
# interpreter's default is 700). A unit's work (an athlete's year of activities read and
# assessed) allocates hundreds of thousands of objects that live until the unit is done: at 700
# each was walked by several young collections and the survivors promoted, to be walked again
# by the older generations' collections. Almost none of them is in a reference cycle, so a
# larger young generation frees the same memory with a fraction of the walking.
_WORKER_GC_YOUNG = 50_000


def _set_shared(shared: Any) -> None:
    global _SHARED
    _SHARED = shared
    gc.set_threshold(_WORKER_GC_YOUNG, *gc.get_threshold()[1:])


def _call(fn: Callable[[Any, Any], Any], unit: Any) -> Any:
    return fn(_SHARED, unit)


class ProcessEngine:
    """A pool of ``workers`` local processes; ``shared`` reaches each process once, when it
    starts (the pool is made for each map)."""

    name = "process"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)

    def map(self, fn: Callable[[Any, Any], Any], units: Sequence[Any], shared: Any = None) -> list[Any]:
        if not units:
            return []
        n = min(self.workers, len(units))
        # what this process holds now (modules, the rulebook, ``shared``) is left out of the
        # garbage collector's walks while the pool runs: forked workers then share its pages
        # instead of copying each one the collector touches, and never walk it themselves
        gc.freeze()
        try:
            with ProcessPoolExecutor(max_workers=n, initializer=_set_shared, initargs=(shared,)) as pool:
                return list(pool.map(_call, [fn] * len(units), units))
        finally:
            gc.unfreeze()

    def close(self) -> None:
        pass


class DaskEngine:
    """A Dask cluster: the scheduler at ``scheduler``, or a LocalCluster of ``workers``
    single-threaded processes listening on 127.0.0.1 only."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        try:
            from distributed import Client, LocalCluster  # noqa: PLC0415 - optional dependency (runload[dask])
        except ImportError:
            raise InputError("--engine dask needs dask.distributed: pip install 'runload[dask]'") from None
        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=30)
            except OSError as exc:
                raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        else:
            # processes, one thread each: the assessment is Python code holding the GIL; the
            # scheduler and its status page listen on this machine only (a free port)
            self.cluster = LocalCluster(n_workers=max(1, workers or os.cpu_count() or 1), threads_per_worker=1,
                                        processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0")
            self.client = Client(self.cluster)

    def map(self, fn: Callable[[Any, Any], Any], units: Sequence[Any], shared: Any = None) -> list[Any]:
        if not units:
            return []
        # boxed, so a tuple or dict is sent as one object rather than scattered item by item
        handle = self.client.scatter(_Box(shared), broadcast=True)
        futures = self.client.map(_unbox_call, [fn] * len(units), [handle] * len(units), list(units), pure=False)
        return list(self.client.gather(futures))

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


class _Box:
    def __init__(self, value: Any) -> None:
        self.value = value


def _unbox_call(fn: Callable[[Any, Any], Any], box: _Box, unit: Any) -> Any:
    return fn(box.value, unit)


def make_engine(engine: str = "local", *, workers: int | None = None, scheduler: str | None = None) -> Engine:
    """The engine the command line names: ``local`` (serial with one worker, else a process
    pool) or ``dask`` (``scheduler`` given, or a LocalCluster of ``workers``)."""
    if scheduler and engine != "dask":
        raise InputError("--scheduler goes with --engine dask")
    if engine == "dask":
        return DaskEngine(scheduler, workers)
    if engine != "local":
        raise InputError(f"unknown engine {engine!r} (expected one of: {', '.join(ENGINES)})")
    if workers == 1:
        return SerialEngine()
    return ProcessEngine(workers)
