"""Work-arounds for defects of the pinned Qt binding, each detected at run time rather than assumed.

PySide6 6.12.0: ``SignalInstance.emit()`` returns ``True`` without taking a reference to it, so every
emit from Python drops one reference of ``True``; after a few hundred emits in one process CPython
deallocates ``True`` and aborts ("Fatal Python error: bool_dealloc"). ``emit`` below gives the dropped
reference back when (and only when) the binding in use is found to drop it.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBES = 8


class _Probe(QObject):
    fired = Signal()


def _emit_drops_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.fired.emit()
    dropped = before - sys.getrefcount(True)
    if dropped > 0:
        for _ in range(dropped):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))  # undo the probe's own damage
    return dropped >= _PROBES


EMIT_DROPS_A_REFERENCE = _emit_drops_a_reference()


def emit(signal: SignalInstance, *args) -> None:
    """``signal.emit(*args)``, safe from the reference leak above (use it for frequent emits)."""
    result = signal.emit(*args)
    if EMIT_DROPS_A_REFERENCE and isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
