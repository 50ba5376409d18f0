"""The command line as other tools use it: real subprocesses against the sandbox on loopback."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import Sandbox

pytestmark = pytest.mark.slow


def igdesk(
    *args: str, token: str | None = None, timeout: float = 120, lang: str = "en"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "igdesk", "--lang", lang, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(token),
    )


def _env(token: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IGDESK_")}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    if token is not None:
        env["IGDESK_ACCESS_TOKEN"] = token
    return env


def assert_one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "Error" not in lines[0].split()[0]
    return lines[0]


def export(profile: Path) -> list[dict[str, Any]]:
    result = igdesk("--profile", str(profile), "export")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_sync_then_export_reproduces_the_world(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    base = ("--profile", str(profile), "--graph-url", tiny_sandbox.url)
    first = igdesk(*base, "sync", "--once", token=tiny_sandbox.token)
    assert first.returncode == 0, first.stderr
    assert "4 conversations updated (4 new)" in first.stdout

    records = export(profile)
    listed = [t for t in tiny_sandbox.world()["threads"] if t["listed"]]
    assert [r["id"] for r in records] == [t["id"] for t in listed]
    for record, thread in zip(records, listed, strict=True):
        assert set(record) == {"id", "folder", "contact", "updated_time", "unread", "messages"}
        assert set(record["contact"]) == {"id", "username", "name", "follows_business"}
        assert record["folder"] in ("primary", "general", "requests", "denied")
        readable = [m for m in reversed(thread["messages"]) if m["readable"]]
        assert [m["id"] for m in record["messages"]] == [m["id"] for m in readable]
        for message in record["messages"]:
            assert set(message) == {
                "id",
                "from",
                "created_time",
                "text",
                "attachments",
                "reply_to",
                "is_from_shop",
                "deleted",
            }
    folders = {r["contact"]["username"]: r["folder"] for r in records}
    assert folders == {
        "ani.follower": "primary",
        "bob.general": "general",
        "cici.request": "requests",
        "eka.long": "primary",
    }

    tiny_sandbox.clear_requests()
    second = igdesk(*base, "sync", "--once", token=tiny_sandbox.token)
    assert second.returncode == 0, second.stderr
    assert "0 conversations updated" in second.stdout
    assert len(tiny_sandbox.requests()) == 1  # nothing new costs one request
    assert export(profile) == records


def test_no_token_is_one_clear_line(tmp_path: Path) -> None:
    result = igdesk("--profile", str(tmp_path), "sync", "--once")
    line = assert_one_clear_line(result)
    assert "IGDESK_ACCESS_TOKEN" in line
    indonesian = igdesk("--profile", str(tmp_path), "sync", "--once", lang="id")
    assert "Belum ada akun" in assert_one_clear_line(indonesian)


def test_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    result = igdesk(
        "--profile",
        str(tmp_path),
        "--graph-url",
        "http://127.0.0.1:9",
        "sync",
        "--once",
        token="x" * 40,
    )
    assert "internet" in assert_one_clear_line(result)


def test_expired_token_says_sign_in_again(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    tiny_sandbox.fault("expired_token", count=-1)
    result = igdesk(
        "--profile",
        str(tmp_path),
        "--graph-url",
        tiny_sandbox.url,
        "sync",
        "--once",
        token=tiny_sandbox.token,
    )
    assert "Sign in again" in assert_one_clear_line(result)
    assert tiny_sandbox.token not in result.stderr + result.stdout


def test_damaged_archive_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "archive.sqlite3").write_bytes(b"this is not a database" * 100)
    result = igdesk("--profile", str(tmp_path), "export")
    assert "archive" in assert_one_clear_line(result).lower()


def test_export_of_an_empty_profile_prints_nothing(tmp_path: Path) -> None:
    result = igdesk("--profile", str(tmp_path), "export")
    assert result.returncode == 0 and result.stdout == ""


def test_doctor_checks_step_by_step(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    good = igdesk(
        "--profile",
        str(tmp_path),
        "--graph-url",
        tiny_sandbox.url,
        "doctor",
        token=tiny_sandbox.token,
    )
    assert good.returncode == 0, good.stderr
    assert "✓ Messaging: available" in good.stdout and "✓ Instant delivery: off" in good.stdout
    assert "Everything looks good." in good.stdout
    bad = igdesk("--profile", str(tmp_path), "doctor")
    assert bad.returncode == 1
    assert "✗" in bad.stderr and "Traceback" not in bad.stderr


def test_kill_9_during_sync_then_resume(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    """A sync killed mid-way leaves whole threads only; the next run completes, no duplicates."""
    profile = tmp_path / "profile"
    base = ("--profile", str(profile), "--graph-url", tiny_sandbox.url)
    for thread in tiny_sandbox.world()["threads"]:  # every profile read (one per thread)
        tiny_sandbox.fault("slow", seconds=1.5, count=-1, path=thread["customer"]["id"])
    process = subprocess.Popen(
        [sys.executable, "-m", "igdesk", *base, "sync", "--once"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(tiny_sandbox.token),
    )
    try:
        deadline = time.monotonic() + 60
        while _stored_threads(profile / "archive.sqlite3") < 1:
            assert time.monotonic() < deadline, "the sync never stored a thread"
            assert process.poll() is None, "the sync ended before it could be killed"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    stored = _stored_threads(profile / "archive.sqlite3")
    listed = [t for t in tiny_sandbox.world()["threads"] if t["listed"]]
    assert 1 <= stored < len(listed)

    tiny_sandbox.clear_faults()
    resumed = igdesk(*base, "sync", "--once", token=tiny_sandbox.token)
    assert resumed.returncode == 0, resumed.stderr
    assert f"({len(listed) - stored} new)" in resumed.stdout
    records = export(profile)
    ids = [m["id"] for r in records for m in r["messages"]]
    assert len(ids) == len(set(ids))
    assert {r["id"] for r in records} == {t["id"] for t in listed}
    check = sqlite3.connect(profile / "archive.sqlite3")
    try:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        check.close()


def _stored_threads(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return int(connection.execute("SELECT count(*) FROM threads").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.Error:
        return 0


def test_watch_keeps_syncing_and_stops_on_sigterm(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    base = ("--profile", str(tmp_path), "--graph-url", tiny_sandbox.url)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "igdesk",
            "--lang",
            "en",
            *base,
            "sync",
            "--watch",
            "--interval",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tiny_sandbox.token),
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "(4 new)" in first
        tiny_sandbox.customer_writes(username="ani.follower", text="Kak, sudah dikirim?")
        second = process.stdout.readline()
        assert "1 new message (1 from customers)" in second
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err


def test_sandbox_window_screenshot(tmp_path: Path) -> None:
    """`igdesk --sandbox --screenshot` syncs the demo shop and writes a real PNG of the window."""
    target = tmp_path / "window.png"
    env = _env(None)
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(
        [sys.executable, "-m", "igdesk", "--sandbox", "--screenshot", str(target)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 1000 and height >= 600


def test_sync_exit_codes_for_done_partly_done_and_nothing_read(
    tiny_sandbox: Sandbox, tmp_path: Path
) -> None:
    """0 when everything was read; 3 with the sentence when some conversations could not be;
    1 with the sentence when none could; `doctor` then names what was left unread."""
    base = ("--profile", str(tmp_path), "--graph-url", tiny_sandbox.url)
    tiny_sandbox.set_missing_fields({"Message": ["reply_to"]})
    done = igdesk(*base, "sync", "--once", token=tiny_sandbox.token)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""

    listed = [t for t in tiny_sandbox.world()["threads"] if t["listed"]]
    for thread in listed:
        tiny_sandbox.customer_writes(customer_id=thread["customer"]["id"], text="Kak?")
    tiny_sandbox.fault("malformed_json", count=-1, path=listed[0]["id"])
    partly = igdesk(*base, "sync", "--once", token=tiny_sandbox.token)
    assert partly.returncode == 3, partly.stderr
    assert "conversations updated" in partly.stdout
    assert partly.stderr.strip() == (
        "1 conversation could not be read: Instagram's answer could not be read. "
        "It will be tried again."
    )
    doctor = igdesk(*base, "doctor", token=tiny_sandbox.token)
    assert doctor.returncode == 0, doctor.stderr
    assert "message.reply_to" in doctor.stdout
    assert f"@{listed[0]['customer']['username']}: could not be read 1×" in doctor.stdout

    for thread in listed:
        tiny_sandbox.customer_writes(customer_id=thread["customer"]["id"], text="Halo?")
    tiny_sandbox.fault("malformed_json", count=-1, path="aWdf")
    # The thread that failed waits for its turn; the others fail now: nothing was read.
    failed = igdesk(*base, "--lang", "id", "sync", "--once", token=tiny_sandbox.token)
    assert failed.returncode == 1
    line = assert_one_clear_line(failed)
    assert line.endswith(
        "tidak bisa dibaca: jawaban Instagram tidak bisa dibaca. Akan dicoba lagi nanti."
    )
