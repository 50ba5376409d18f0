"""Generated scenarios of any size, for benchmarks and tests of a big shop's first sync.

`generated_scenario(1000)` is a shop with 1,000 customers, one thread each, newest first a
minute apart; message counts cycle from 1 to 25 (so some threads have more than the 20
readable messages), the shop answered in most threads, and every third customer follows the
shop. Deterministic: the same size gives the same world.
"""

from __future__ import annotations

from typing import Any

#: Message counts cycle through 1..MAX_MESSAGES.
MAX_MESSAGES = 25


def generated_scenario(threads: int, *, max_messages: int = MAX_MESSAGES) -> dict[str, Any]:
    """A scenario dict (see `igdesk.sandbox.scenario`) with `threads` threads."""
    return {
        "description": f"generated shop with {threads} threads",
        "threads": [_thread(index, max_messages) for index in range(threads)],
    }


def _thread(index: int, max_messages: int) -> dict[str, Any]:
    count = index % max_messages + 1
    start = index + count  # minutes ago of the first message; the newest thread is index 0
    messages = [
        {
            "from": "customer" if step % 2 == 0 else "shop",
            "ago": f"{start - step}m",
            "text": f"pesan {step + 1} dari pelanggan {index}",
        }
        for step in range(count)
    ]
    return {
        "customer": {
            "username": f"pelanggan.{index:05d}",
            "name": f"Pelanggan {index}",
            "follows_business": index % 3 == 0,
        },
        "messages": messages,
    }
