"""The customer simulator: now and then a customer writes a believable message."""

from __future__ import annotations

import asyncio
import contextlib
import random

from igdesk.sandbox.control import customer_writes
from igdesk.sandbox.state import SandboxState

LINES = [
    "Halo kak, yang motif parang masih ada?",
    "Kak, ongkir ke Surabaya berapa ya?",
    "Hi! Do you ship to Singapore?",
    "Sudah saya transfer ya kak 🙏",
    "Is the indigo scarf still available?",
    "Kak bisa COD?",
    "Ukuran L ada? Lingkar dada 104 cm",
    "Thank you, the batik arrived today! 😍",
    "Mau tanya, bahannya katun primisima atau prima?",
    "Can I get a custom size?",
    "Pesanan saya kok belum sampai ya kak",
    "Boleh minta foto detail motifnya?",
]


class CustomerSimulator:
    """Every `every` seconds a random existing customer (seeded) writes one line."""

    def __init__(self, state: SandboxState, every: float, seed: int = 7) -> None:
        self._state = state
        self._every = every
        self._random = random.Random(seed)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="sandbox-sim")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def write_once(self) -> str:
        customers = sorted(self._state.world.customers.values(), key=lambda c: c.id)
        customer = self._random.choice(customers)
        result = customer_writes(
            self._state, {"customer_id": customer.id, "text": self._random.choice(LINES)}
        )
        return str(result["message_id"])

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            self.write_once()
