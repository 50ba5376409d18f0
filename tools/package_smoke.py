"""Build the PyInstaller app from igdesk.spec and run the built binary (CI calls this).

    .venv/bin/python tools/package_smoke.py [--out DIR] [--no-build]

Steps, each timed; the first failure stops the run with one line on stderr and exit code 1:

1. build: `pyinstaller igdesk.spec` into DIR/dist (work files in DIR/build);
2. `igdesk --version` prints the package's version and the log file;
3. `igdesk sandbox serve` answers a Graph request (`/me` with its token) over loopback;
4. `igdesk sync --once` against that sandbox fills a fresh profile;
5. `igdesk --sandbox --screenshot PNG` renders the window offscreen to a PNG;
6. a bundle missing its translations says so in one sentence (no traceback), then is restored.

Prints the bundle's size. Nothing is skipped: a missing PyInstaller is a failure too.
"""

from __future__ import annotations

import argparse
import atexit
import importlib.metadata
import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
STEP_TIMEOUT_S = 180


class SmokeError(Exception):
    """A step failed; the message says which and why."""


#: The smoke runs' own user folders: the binary never writes the real user's profile or logs.
_HOME = Path(tempfile.mkdtemp(prefix="igdesk-smoke-home-"))
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IGDESK_")}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(_HOME / name.lower())
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # the token comes in env
    return env


def _run(argv: list[str], *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT_S,
            env=env or _env(),
            cwd=tempfile.gettempdir(),  # never the checkout: the bundle must find its own files
        )
    except subprocess.TimeoutExpired as error:
        raise SmokeError(f"{' '.join(argv[:3])}… did not finish in {STEP_TIMEOUT_S} s") from error


def _expect(result: subprocess.CompletedProcess[str], what: str, code: int = 0) -> str:
    if result.returncode != code:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise SmokeError(f"{what}: exit code {result.returncode} (wanted {code}): {detail}")
    if "Traceback" in result.stderr:
        raise SmokeError(f"{what}: a traceback on stderr: {result.stderr.strip()[-500:]}")
    return result.stdout


def build(out: Path) -> Path:
    if importlib.util.find_spec("PyInstaller") is None:
        raise SmokeError("PyInstaller is not installed: pip install -e '.[package]'")
    argv = [
        sys.executable, "-m", "PyInstaller", str(ROOT / "igdesk.spec"), "--noconfirm",
        "--log-level", "WARN", "--distpath", str(out / "dist"), "--workpath", str(out / "build"),
    ]  # fmt: skip
    result = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=1200)
    if result.returncode != 0:
        raise SmokeError(f"pyinstaller failed: {result.stderr.strip()[-2000:]}")
    binary = out / "dist" / "igdesk" / ("igdesk.exe" if os.name == "nt" else "igdesk")
    if not binary.is_file():
        raise SmokeError(f"pyinstaller made no {binary}")
    return binary


def check_version(binary: Path) -> None:
    lines = _expect(_run([str(binary), "--version"]), "--version").splitlines()
    wanted = f"igdesk {importlib.metadata.version('igdesk')}"
    if len(lines) < 2 or lines[0] != wanted or not lines[1].startswith("Logs: "):
        raise SmokeError(f"--version printed {lines!r}, wanted {wanted!r} and the log file")


@contextmanager
def served_sandbox(binary: Path) -> Iterator[tuple[str, str]]:
    """`igdesk sandbox serve` running; yields its URL and access token."""
    # Its stderr goes to a file, not a pipe: a pipe nobody reads fills up and blocks it.
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            [str(binary), "sandbox", "serve", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=_env(),
            cwd=tempfile.gettempdir(),
        )
        try:
            found = _announced(process, deadline=time.monotonic() + 60)
            if len(found) < 2:
                process.kill()
                process.wait()
                errors.seek(0)
                raise SmokeError(f"sandbox serve did not start: {errors.read()[-800:]}")
            yield found["url"], found["token"]
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stdout is not None:
                process.stdout.close()


def _announced(process: subprocess.Popen[str], *, deadline: float) -> dict[str, str]:
    """The URL and token `sandbox serve` prints, read until `deadline` (a silent process
    cannot hang the step). Read from the descriptor itself: a buffered reader could hold lines
    that `select` no longer sees."""
    assert process.stdout is not None
    descriptor = process.stdout.fileno()
    found: dict[str, str] = {}
    pending = ""
    with selectors.DefaultSelector() as waiting:
        waiting.register(descriptor, selectors.EVENT_READ)
        while len(found) < 2:
            left = deadline - time.monotonic()
            if left <= 0 or not waiting.select(left):
                break
            chunk = os.read(descriptor, 4096)
            if not chunk:
                break
            pending += chunk.decode("utf-8", "replace")
            *lines, pending = pending.split("\n")
            for line in lines:
                if line.startswith("Sandbox running at "):
                    found["url"] = line.split()[-1]
                elif line.startswith("Access token: "):
                    found["token"] = line.split()[-1]
    return found


def check_serve_answers(url: str, token: str) -> None:
    request = f"{url}/v25.0/me?fields=user_id,username&access_token={token}"
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
    if body.get("username") != "tokobatik.sari":
        raise SmokeError(f"sandbox serve answered /me with {body!r}")


def check_sync(binary: Path, url: str, token: str, profile: Path) -> None:
    env = _env()
    env["IGDESK_ACCESS_TOKEN"] = token
    argv = [str(binary), "--lang", "en", "--profile", str(profile), "--graph-url", url]
    out = _expect(_run([*argv, "sync", "--once"], env=env), "sync --once")
    if not out.startswith("Synced @tokobatik.sari:"):
        raise SmokeError(f"sync --once printed {out!r}")
    export = _expect(_run([*argv, "export"], env=env), "export").splitlines()
    if len(export) < 10:
        raise SmokeError(f"export gave {len(export)} threads after the sync")


def check_screenshot(binary: Path, png: Path) -> None:
    _expect(_run([str(binary), "--sandbox", "--screenshot", str(png)]), "--screenshot")
    data = png.read_bytes() if png.exists() else b""
    if not data.startswith(PNG_MAGIC) or len(data) < 10_000:
        raise SmokeError(f"--screenshot wrote no real PNG ({len(data)} bytes)")


def check_missing_resource(binary: Path) -> None:
    locale = binary.parent / "_internal" / "resources" / "locale"
    if not locale.is_dir():
        raise SmokeError(f"the bundle has no {locale}")
    aside = locale.with_name("locale.aside")
    locale.rename(aside)
    try:
        result = _run([str(binary), "export"])
        line = _expect(result, "a bundle without translations", code=1) or result.stderr
        if not result.stderr.startswith("igdesk is missing some of its files (locale)"):
            raise SmokeError(f"a bundle without translations said {line!r} {result.stderr!r}")
    finally:
        aside.rename(locale)


def size_mb(folder: Path) -> float:
    files = (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(p.stat().st_size for p in files) / 1024 / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="where to build (default: a temporary folder)")
    parser.add_argument("--no-build", action="store_true", help="test the bundle already in OUT")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="igdesk-package-"))
    work = Path(tempfile.mkdtemp(prefix="igdesk-smoke-"))
    timings: list[tuple[str, float]] = []

    def step(name: str, started: float) -> None:
        timings.append((name, time.monotonic() - started))
        print(f"package smoke: {name} ok ({timings[-1][1]:.1f} s)", flush=True)

    try:
        started = time.monotonic()
        if args.no_build:
            binary = out / "dist" / "igdesk" / ("igdesk.exe" if os.name == "nt" else "igdesk")
        else:
            binary = build(out)
        step("build", started)
        started = time.monotonic()
        check_version(binary)
        step("--version", started)
        started = time.monotonic()
        with served_sandbox(binary) as (url, token):
            check_serve_answers(url, token)
            step("sandbox serve", started)
            started = time.monotonic()
            check_sync(binary, url, token, work / "profile")
            step("sync --once", started)
        started = time.monotonic()
        check_screenshot(binary, work / "window.png")
        step("--sandbox --screenshot", started)
        started = time.monotonic()
        check_missing_resource(binary)
        step("missing resource", started)
    except (SmokeError, OSError) as error:
        print(f"package smoke FAILED: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = sum(seconds for _, seconds in timings)
    print(f"package smoke: bundle {size_mb(binary.parent):.0f} MB, all steps {total:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
