"""Tunnel test helpers: a local stand-in for ngrok's agent ingress, so the real ngrok SDK runs
in tests offline, a port that speaks garbage, and a wait for a tunnel to die.

The ngrok stand-in speaks just enough of the agent protocol: TLS (with a throwaway CA the SDK
is told to trust), muxado frames (8-byte header: 24-bit length, 4-bit type, 4-bit flags, 31-bit
stream id), typed streams (a 4-byte type first), heartbeats echoed, and the JSON Auth and Bind
calls, whose answers the test chooses: an accepted session and a listener URL, or ngrok's error
text with its `ERR_NGROK_…` code.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import json
import ssl
import struct
import tempfile
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from igdesk.webhooks.tunnel import NgrokIngress, Tunnel

_DATA, _FIN, _SYN = 1, 0x1, 0x2
_HEARTBEAT, _AUTH, _BIND = 0xFFFFFFFF, 0, 1


class FakeNgrok:
    """`async with FakeNgrok() as fake:` then `NgrokTunnel(token, ingress=fake.ingress)`."""

    def __init__(self, *, url: str = "https://fake-words.ngrok-free.app") -> None:
        self.url = url
        #: Set to ngrok's error text (with its code line) to refuse the Auth or Bind call.
        self.auth_error: str | None = None
        self.bind_error: str | None = None
        self.authtokens: list[str] = []
        self.binds: list[dict[str, Any]] = []
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ca_pem = b""

    @property
    def ingress(self) -> NgrokIngress:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return NgrokIngress(server_addr=f"localhost:{port}", ca_cert=self._ca_pem)

    async def __aenter__(self) -> FakeNgrok:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as folder:
            self._ca_pem, cert_path, key_path = _certificates(Path(folder))
            context.load_cert_chain(cert_path, key_path)
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=context)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.drop()

    async def drop(self) -> None:
        """Close every agent connection and stop accepting new ones (ngrok unreachable)."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        streams: dict[int, bytearray] = {}
        try:
            while True:
                header = await reader.readexactly(8)
                length_type_flags, stream_id = struct.unpack(">II", header)
                body = await reader.readexactly(length_type_flags >> 8)
                if (length_type_flags >> 4) & 0xF == _DATA:
                    buffer = streams.setdefault(stream_id, bytearray())
                    buffer += body
                    self._answer(writer, stream_id, buffer)
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()

    def _answer(self, writer: asyncio.StreamWriter, stream_id: int, buffer: bytearray) -> None:
        if len(buffer) < 4:
            return
        kind = struct.unpack(">I", buffer[:4])[0]
        if kind == _HEARTBEAT:
            while len(buffer) >= 8:
                writer.write(_frame(0, stream_id, bytes(buffer[4:8])))
                del buffer[4:8]
            return
        try:
            request = json.loads(bytes(buffer[4:]))
        except ValueError:  # not all of it yet
            return
        del buffer[4:]
        buffer[:4] = b"\xff\xff\xff\xfe"  # answered: later bytes on this stream are ignored
        if kind == _AUTH:
            self.authtokens.append(request["Extra"]["AuthToken"])
            answer = (
                {"Error": self.auth_error}
                if self.auth_error
                else {"Version": "2", "ClientId": "fake-session", "Extra": {}}
            )
        elif kind == _BIND:
            self.binds.append(request)
            hostname = request["Opts"].get("Hostname") or ""
            answer = (
                {"Error": self.bind_error}
                if self.bind_error
                else {
                    "Id": f"tunnel-{len(self.binds)}",
                    "URL": f"https://{hostname}" if hostname else self.url,
                    "Proto": "https",
                    "Opts": request["Opts"],
                    "Extra": {"Token": ""},
                }
            )
        else:
            answer = {}
        writer.write(_frame(_FIN, stream_id, json.dumps(answer).encode()))


def _frame(flags: int, stream_id: int, body: bytes) -> bytes:
    return struct.pack(">II", (len(body) << 8) | (_DATA << 4) | flags, stream_id) + body


def _certificates(folder: Path) -> tuple[bytes, Path, Path]:
    """A CA (PEM, to trust) and a certificate for localhost signed by it with its key (files in
    `folder`, to serve)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "igdesk test CA")])
    ca = (
        _valid(x509.CertificateBuilder(), now)
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        _valid(x509.CertificateBuilder(), now)
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca.public_bytes(serialization.Encoding.PEM), cert_path, key_path


def _valid(builder: x509.CertificateBuilder, now: datetime.datetime) -> x509.CertificateBuilder:
    return (
        builder.serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
    )


async def garbage_server(
    reply: bytes = b"HTTP/1.1 400 Bad Request\r\n\r\nnot ngrok",
) -> asyncio.Server:
    """A local port that answers anything with `reply` and hangs up (not ngrok, not TLS)."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(reply)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    return await asyncio.start_server(answer, "127.0.0.1", 0)


async def until_dead(tunnel: Tunnel, seconds: float = 2.0) -> bool:
    """Whether `tunnel` stops being alive within `seconds` (checked every 20 ms)."""
    for _ in range(int(seconds / 0.02)):
        if not tunnel.is_alive():
            return True
        await asyncio.sleep(0.02)
    return not tunnel.is_alive()
