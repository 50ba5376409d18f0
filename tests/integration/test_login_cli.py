"""`igdesk login` as the owner runs it on a server: a subprocess reading standard input, against
the sandbox over loopback, with a file keyring the next command finds (or no keyring at all)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import Sandbox
from tests.signin_helpers import consent_sync

ROOT = Path(__file__).resolve().parents[2]


def env(tmp_path: Path, *, keyring: bool = True, secret: str | None = None) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("IGDESK_")}
    values["PYTHONPATH"] = str(ROOT)
    if keyring:
        values["PYTHON_KEYRING_BACKEND"] = "tests.file_keyring.FileKeyring"
        values["IGDESK_TEST_KEYRING_FILE"] = str(tmp_path / "keyring.json")
    else:
        values["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    if secret is not None:
        values["IGDESK_APP_SECRET"] = secret
    return values


def login(
    sandbox: Sandbox,
    profile: Path,
    environment: dict[str, str],
    *extra: str,
    answer: str | None = None,
    decision: str = "allow",
    lang: str = "en",
) -> subprocess.CompletedProcess[str]:
    """Run `igdesk login`; open the printed address like a browser, paste where it landed
    (or `answer`)."""
    command = [sys.executable, "-m", "igdesk", "--lang", lang, "--profile", str(profile)]
    command += ["--graph-url", sandbox.url, "login", *extra]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    assert process.stdout is not None
    printed = []
    try:
        while True:
            line = process.stdout.readline()
            assert line, "igdesk login ended before asking"
            printed.append(line)
            if answer is None and line.startswith("http"):
                answer = consent_sync(line.strip(), decision)
            if (line.rstrip().endswith(":") and len(printed) > 1) or "Generate token" in line:
                break
        out, err = process.communicate(f"{answer}\n", timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    return subprocess.CompletedProcess(command, process.returncode, "".join(printed) + out, err)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_login_then_sync_with_the_stored_token(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    app_id = tiny_sandbox.threaded.world.shop.app_id
    environment = env(tmp_path, secret=tiny_sandbox.threaded.app_secret)
    profile = tmp_path / "profile"
    done = login(tiny_sandbox, profile, environment, "--app-id", app_id)
    assert done.returncode == 0, done.stderr
    assert "Signed in as @" in done.stdout and "renews the sign-in by itself" in done.stdout
    synced = subprocess.run(
        [
            sys.executable,
            "-m",
            "igdesk",
            "--profile",
            str(profile),
            "--graph-url",
            tiny_sandbox.url,
            "sync",
            "--once",
        ],
        capture_output=True,
        text=True,
        env=env(tmp_path),
        timeout=120,
    )
    assert synced.returncode == 0, synced.stderr
    assert "Synced @" in synced.stdout
    # The app id is remembered: the next login needs no --app-id.
    again = login(tiny_sandbox, profile, environment)
    assert again.returncode == 0, again.stderr
    keyring_text = (tmp_path / "keyring.json").read_text()
    for path in profile.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert tiny_sandbox.threaded.app_secret.encode() not in data
            for value in keyring_text.split('"'):
                if value.startswith("IGAA"):
                    assert value.encode() not in data


def test_cancel_exits_non_zero_with_the_sentence(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    result = login(
        tiny_sandbox,
        tmp_path / "p",
        env(tmp_path, secret=tiny_sandbox.threaded.app_secret),
        "--app-id",
        tiny_sandbox.threaded.world.shop.app_id,
        decision="deny",
        lang="id",
    )
    assert "dibatalkan" in one_line(result)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("https://localhost/igdesk/signed-in?state=nope", "has no sign-in code"),
        ("", "has no sign-in code"),
        ("IGAAnot-a-real-token", "does not accept this access token"),
    ],
)
def test_bad_pastes(tiny_sandbox: Sandbox, tmp_path: Path, answer: str, expected: str) -> None:
    result = login(
        tiny_sandbox,
        tmp_path / "p",
        env(tmp_path, secret="x"),
        "--app-id",
        tiny_sandbox.threaded.world.shop.app_id,
        answer=answer,
    )
    assert expected in one_line(result)


def test_wrong_secret(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    result = login(
        tiny_sandbox,
        tmp_path / "p",
        env(tmp_path, secret="wrong"),
        "--app-id",
        tiny_sandbox.threaded.world.shop.app_id,
    )
    assert "refused the app secret" in one_line(result)


def test_no_keyring_fails_and_says_how_to_get_one(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    result = login(
        tiny_sandbox,
        tmp_path / "p",
        env(tmp_path, keyring=False, secret=tiny_sandbox.threaded.app_secret),
        "--app-id",
        tiny_sandbox.threaded.world.shop.app_id,
    )
    line = one_line(result)
    assert "no usable keyring" in line and "keyrings.alt" in line


def test_pasted_token_without_an_app_id(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    result = login(tiny_sandbox, tmp_path / "p", env(tmp_path), answer=tiny_sandbox.token)
    assert result.returncode == 0, result.stderr
    assert "Signed in as @" in result.stdout


def test_secret_is_prompted_without_echo(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    """No IGDESK_APP_SECRET and nothing in the keyring: getpass asks (stdin when no terminal)."""
    app_id = tiny_sandbox.threaded.world.shop.app_id
    command = [
        sys.executable,
        "-m",
        "igdesk",
        "--profile",
        str(tmp_path / "p"),
        "--graph-url",
        tiny_sandbox.url,
        "login",
        "--app-id",
        app_id,
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(tmp_path),
    )
    assert process.stdout is not None and process.stdin is not None
    landed = ""
    while not landed:
        line = process.stdout.readline()
        assert line
        if line.startswith("http"):
            landed = consent_sync(line.strip())
    out, err = process.communicate(f"{landed}\n{tiny_sandbox.threaded.app_secret}\n", timeout=60)
    assert process.returncode == 0, err
    assert tiny_sandbox.threaded.app_secret not in out + err
