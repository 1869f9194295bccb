"""One window per user and database (ui/common/single_instance.py): a second launch hands its file over and
exits; a crashed first launch's socket does not stop the next one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QMessageBox

from ui.app import serve_window
from ui.common.single_instance import InstanceServer, instance_name

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 120  # a GUI start on a busy 2-core machine


def test_the_name_is_per_user_database_and_window(tmp_path):
    first = instance_name(str(tmp_path / "a.sqlite3"))
    assert first == instance_name(str(tmp_path / "." / "a.sqlite3"))  # the same file, however it is spelled
    assert first != instance_name(str(tmp_path / "b.sqlite3"))  # another database runs beside it
    assert first != instance_name(str(tmp_path / "a.sqlite3"), bureau=True)  # so does the 财政局 window
    assert instance_name("postgresql+psycopg://clerk:secret@server/budget") == \
        instance_name("postgresql+psycopg://clerk:other@server/budget")  # the password is not the database
    assert first.startswith("budgetdesk-") and len(first) < 60  # short enough for a Unix socket path


@pytest.fixture
def server(qtbot):
    instance = InstanceServer(f"budgetdesk-test-{uuid.uuid4().hex[:12]}")
    assert instance.listen()
    yield instance
    instance.close()


def send(qtbot, name: str, message: bytes) -> QLocalSocket:
    client = QLocalSocket()
    client.connectToServer(name)
    qtbot.waitUntil(lambda: client.state() == QLocalSocket.LocalSocketState.ConnectedState, timeout=10000)
    client.write(message)
    client.flush()
    return client


def test_the_running_window_opens_the_handed_file_as_a_double_click_would(qtbot, window, server, tmp_path,
                                                                          monkeypatch):
    refusals = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: refusals.append((title, text)))
    serve_window(server, window)
    window.showMinimized()
    damaged = tmp_path / "第二个.bdp"
    damaged.write_bytes(b"not a package")
    client = send(qtbot, server.name, json.dumps({"open": str(damaged)}).encode() + b"\n")
    qtbot.waitUntil(lambda: bool(refusals), timeout=30000)  # the import ran: its check refused the file
    assert refusals[0][0] == "导入数据包"
    assert window.package_job.outcome == "failed"
    assert not window.isMinimized() and window.isVisible()
    qtbot.waitUntil(lambda: client.bytesAvailable() > 0, timeout=10000)
    assert client.readAll().data() == b"ok\n"


def test_a_launch_without_a_file_only_brings_the_window_forward(qtbot, window, server):
    asked = []
    server.requested.connect(asked.append)
    serve_window(server, window)
    window.showMinimized()
    send(qtbot, server.name, b'{"open": null}\n')
    qtbot.waitUntil(lambda: asked == [""], timeout=10000)
    assert not window.isMinimized()
    assert getattr(window, "package_job", None) is None  # nothing imported


def test_a_request_before_the_window_is_up_waits_for_it(qtbot, window, server, tmp_path, monkeypatch):
    refusals = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: refusals.append(text))
    damaged = tmp_path / "早到的.bdp"
    damaged.write_bytes(b"not a package")
    send(qtbot, server.name, json.dumps({"open": str(damaged)}).encode() + b"\n")
    qtbot.waitUntil(lambda: server.pending == [str(damaged)], timeout=10000)
    serve_window(server, window)
    qtbot.waitUntil(lambda: bool(refusals), timeout=30000)


# ---- two real processes ------------------------------------------------------------------------------

@pytest.fixture
def launch(tmp_path):
    """Start ``budgetdesk --db … gui [FILE]`` offscreen, with its own temp folder (the socket), home and log."""
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "tmp").mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp_path / "tmp"), HOME=str(home),
               XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
               BUDGETDESK_LOG_DIR=str(tmp_path / "logs"), PYTHONPATH=str(ROOT))
    started = []

    def start(*args):
        process = subprocess.Popen([sys.executable, "-m", "app", "--db", str(tmp_path / "budget.sqlite3"), "gui",
                                    *args], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def log_text(tmp_path) -> str:
    path = tmp_path / "logs" / "budgetdesk.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def wait_for_log(tmp_path, text: str, count: int = 1) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while log_text(tmp_path).count(text) < count:
        assert time.monotonic() < deadline, f"no “{text}” in the log:\n{log_text(tmp_path)}"
        time.sleep(0.2)


def test_a_second_launch_hands_its_package_to_the_first_and_exits(tmp_path, launch):
    first = launch()
    wait_for_log(tmp_path, "single instance: listening")
    package = tmp_path / "双击的.bdp"
    package.write_bytes(b"not a package")
    second = launch(package.name)  # relative, as a file manager may pass it: the first has another cwd
    output, _ = second.communicate(timeout=START_TIMEOUT_S)
    assert second.returncode == 0, output.decode("utf-8", "replace")
    wait_for_log(tmp_path, f"single instance: received {package.resolve()}")
    assert first.poll() is None  # the first window is still the one running
    assert log_text(tmp_path).count("single instance: listening") == 1  # the second never opened a window


def test_a_crashed_first_launch_leaves_no_obstacle(tmp_path, launch):
    # The database exists already: the kill below must land on a running window, not on the first launch's
    # schema migration (SQLite runs Alembic's DDL outside a transaction, so that kill is another matter).
    from app.store.service import Store

    Store(str(tmp_path / "budget.sqlite3")).close()
    crashed = launch()
    wait_for_log(tmp_path, "single instance: listening")
    crashed.send_signal(signal.SIGKILL)  # no clean-up: its socket file stays behind
    crashed.wait(30)
    name = instance_name(str(tmp_path / "budget.sqlite3"))
    assert (tmp_path / "tmp" / name).exists()  # the stale socket file is there
    package = tmp_path / "后来的.bdp"
    package.write_bytes(b"not a package")
    second = launch(str(package))
    wait_for_log(tmp_path, "single instance: listening", count=2)
    assert second.poll() is None  # it started as the running window
    third = launch()
    output, _ = third.communicate(timeout=START_TIMEOUT_S)
    assert third.returncode == 0, output.decode("utf-8", "replace")  # and now hands over to the second
    assert second.poll() is None


@pytest.fixture
def unix_window(tmp_path, monkeypatch):
    """A stand-in for a running window at the socket path Qt uses, driven by ``behaviour(connection)``
    on a thread: the launch under test blocks its own thread while it waits."""
    import socket as pysocket
    import threading

    from PySide6.QtCore import QDir

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    name = f"budgetdesk-test-{uuid.uuid4().hex[:12]}"
    listener = pysocket.socket(pysocket.AF_UNIX, pysocket.SOCK_STREAM)
    listener.bind(str(Path(QDir.tempPath()) / name))
    listener.listen(1)
    threads = []

    def serve(behaviour):
        def run():
            connection, _ = listener.accept()
            with connection:
                behaviour(connection)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)
        return name

    yield serve
    listener.close()
    for thread in threads:
        thread.join(10)


pytestmark_unix = pytest.mark.skipif(sys.platform == "win32", reason="a Unix socket stands in for the window")


@pytestmark_unix
def test_a_window_still_opening_its_database_is_waited_for_not_doubled(unix_window):
    from ui.common.single_instance import Handover, hand_over

    def slow(connection):  # the GUI thread is busy opening the database: the answer comes late
        connection.recv(4096)
        time.sleep(6)  # longer than the 5 s a launch used to wait before starting a second window
        connection.sendall(b"ok\n")

    name = unix_window(slow)
    assert hand_over(name, None, answer_timeout_ms=60_000) is Handover.HANDED  # 1 s polls went on waiting


@pytestmark_unix
def test_a_window_that_never_answers_keeps_a_second_from_starting(unix_window):
    from ui.common.single_instance import Handover, hand_over

    done = []
    name = unix_window(lambda connection: (connection.recv(4096), time.sleep(3), done.append(1)))
    assert hand_over(name, None, answer_timeout_ms=1500) is Handover.BUSY


@pytestmark_unix
def test_a_window_that_dies_before_answering_lets_the_launch_start(unix_window):
    from ui.common.single_instance import Handover, hand_over

    name = unix_window(lambda connection: connection.recv(4096))  # reads, then closes without a word
    assert hand_over(name, None, answer_timeout_ms=60_000) is Handover.NOBODY
