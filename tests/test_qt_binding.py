"""The pinned Qt binding must not leak references when signals are emitted.

PySide6-Essentials 6.12.0 drops one reference to ``True`` per ``Signal.emit()``: after a few
hundred edits a long session aborted with "Fatal Python error: bool_dealloc". pyproject.toml pins
a release without the fault; this test fails on one that has it.
"""

import subprocess
import sys

SCRIPT = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal

app = QCoreApplication([])


class Source(QObject):
    plain = Signal()
    with_value = Signal(int)


source = Source()
source.plain.connect(lambda: None)
source.with_value.connect(lambda value: None)
before = sys.getrefcount(True)
for number in range(200):
    source.plain.emit()
    source.with_value.emit(number)
print(sys.getrefcount(True) - before)
"""


def test_emitting_signals_keeps_the_reference_counts():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert result.stdout.strip().splitlines()[:1] == ["0"], result.stdout + result.stderr
