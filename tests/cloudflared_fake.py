"""A fake `cloudflared` for tests, put first (and alone) on PATH.

It prints what the real one prints (zerolog console lines on stderr: the quick-tunnel
disclaimer, the ASCII box "Your quick Tunnel has been created! Visit it at …" with the
trycloudflare.com address, "Registered tunnel connection …"), then behaves as
FAKE_CLOUDFLARED_MODE says: stays up, exits early, prints garbage, never prints an address,
ignores SIGTERM, refuses a token. Each run is recorded as a JSON line (argv, token, pid) in the
file FAKE_CLOUDFLARED_RECORD names; the n-th quick run's address is
https://words-<n>-fake.trycloudflare.com.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

FAKE = r"""
import json, os, signal, sys, time

mode = os.environ.get("FAKE_CLOUDFLARED_MODE", "quick")
record = os.environ["FAKE_CLOUDFLARED_RECORD"]
token = os.environ.get("TUNNEL_TOKEN", "")
starts = sum(1 for _ in open(record)) if os.path.exists(record) else 0
with open(record, "a") as out:
    out.write(json.dumps({"argv": sys.argv[1:], "token": token, "pid": os.getpid()}) + "\n")

def log(level, text):
    sys.stderr.write(f"2026-03-01T10:00:0{starts % 10}Z {level} {text}\n")
    sys.stderr.flush()

def box(url):
    lines = [
        "Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):",
        url,
    ]
    width = max(len(line) for line in lines) + 4
    log("INF", "+" + "-" * width + "+")
    for line in lines:
        log("INF", "|  " + line.ljust(width - 4) + "  |")
    log("INF", "+" + "-" * width + "+")

def registered():
    log("INF", "Registered tunnel connection connIndex=0 connection=5f1c ip=198.41.200.13 "
        "location=sin01 protocol=quic")

def stay():
    while True:
        time.sleep(0.05)

if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if mode in ("quick", "stubborn"):
    log("INF", "Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, "
        "is a quick way to experiment and try it out.")
    log("INF", "Requesting new quick Tunnel on trycloudflare.com...")
    box(f"https://words-{starts}-fake.trycloudflare.com")
    registered()
    stay()
if mode == "offline":
    log("INF", "Requesting new quick Tunnel on trycloudflare.com...")
    log("ERR", 'failed to request quick Tunnel: Post "https://api.trycloudflare.com/tunnel": '
        "dial tcp: lookup api.trycloudflare.com: no such host")
    sys.exit(1)
if mode == "garbage":
    sys.stderr.buffer.write(b"\x00\xff\xfe garbage \x1b[31m no address\n" + b"x" * 200000 + b"\n")
    sys.stderr.flush()
    sys.exit(3)
if mode == "silent":
    sys.stderr.write("still thinking about it\n")
    sys.stderr.flush()
    stay()
if mode == "named":
    log("INF", f"Starting tunnel tunnelID=fake token={token}")  # a debug line quoting it
    registered()
    stay()
if mode == "badtoken":
    log("ERR", "Provided Tunnel token is not valid.")
    sys.exit(1)
"""


def install_fake_cloudflared(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put the fake on PATH (alone), in "quick" mode; the file each of its runs is recorded in."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    script = bin_dir / "cloudflared"
    script.write_text(f"#!{sys.executable}\n{FAKE}", encoding="utf-8")
    script.chmod(0o755)
    record = folder / "runs.jsonl"
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("FAKE_CLOUDFLARED_RECORD", str(record))
    monkeypatch.setenv("FAKE_CLOUDFLARED_MODE", "quick")
    return record
