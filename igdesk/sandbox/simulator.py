"""The customer simulator: now and then a customer writes a believable message, and now and
then one reacts to or reads the shop's newest message in their thread.

Each act goes through world_acts, so it changes the world and sends its webhook event (when
the app's webhook and the account's subscription are set), just like the control API.
"""

from __future__ import annotations

import asyncio
import contextlib
import random

from igdesk.sandbox.state import SandboxState
from igdesk.sandbox.world_acts import customer_reacts, customer_reads, customer_writes

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


REACTIONS = ["❤️", "❤️", "😆", "😮", "👍"]


class CustomerSimulator:
    """Every `every` seconds a random existing customer (seeded) acts: mostly they write one
    line; one time in five they react to the shop's newest message in their thread, one time
    in ten they read it (when the shop has written there; else they write)."""

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

    def act_once(self) -> str:
        """One act; returns what it was ("write", "react" or "read")."""
        roll = self._random.random()
        customers = sorted(self._state.world.customers.values(), key=lambda c: c.id)
        customer = self._random.choice(customers)
        thread = self._state.world.thread_of(customer.id)
        shop = self._state.world.shop.ig_id
        mine = [m for m in thread.visible_newest_first() if m.sender_id == shop] if thread else []
        if mine and roll < 0.2:
            emoji = self._random.choice(REACTIONS)
            customer_reacts(self._state, {"message_id": mine[0].id, "emoji": emoji})
            return "react"
        if mine and roll < 0.3:
            customer_reads(self._state, {"customer_id": customer.id})
            return "read"
        customer_writes(
            self._state, {"customer_id": customer.id, "text": self._random.choice(LINES)}
        )
        return "write"

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            self.act_once()
