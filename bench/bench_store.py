"""Archive figures: upsert throughput, thread listing and search over a large synthetic archive.

Run: .venv/bin/python bench/bench_store.py [--threads 10000] [--messages 50000]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from igdesk.domain import Contact, Folder, Message
from igdesk.store import Archive

WORDS = [
    "halo",
    "kak",
    "ready",
    "stok",
    "warna",
    "biru",
    "size",
    "M",
    "berapa",
    "ongkir",
    "ke",
    "Bandung",
    "terima",
    "kasih",
    "😍",
    "batik",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=50_000)
    args = parser.parse_args()
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive.open(Path(tmp) / "bench.sqlite3")
        t0 = time.perf_counter()
        with archive.transaction():
            for n in range(args.threads):
                contact = Contact(id=f"c{n}", username=f"user{n}", follows_business=n % 2 == 0)
                archive.contacts.upsert(contact)
                archive.threads.create(f"t{n}", contact.id, Folder.PRIMARY, start)
        t1 = time.perf_counter()
        per_thread = max(1, args.messages // args.threads)
        with archive.transaction():
            for n in range(args.threads):
                batch = [
                    Message(
                        id=f"m{n}-{k}",
                        thread_id=f"t{n}",
                        sender_id=f"c{n}" if k % 2 else "shop",
                        created_time=start + timedelta(minutes=n * 10 + k),
                        text=" ".join(rng.choices(WORDS, k=8)),
                        is_from_shop=k % 2 == 0,
                    )
                    for k in range(per_thread)
                ]
                archive.messages.upsert(f"t{n}", batch)
        t2 = time.perf_counter()
        rows = archive.threads.newest_first(Folder.PRIMARY)
        t3 = time.perf_counter()
        hits = archive.search.find("ongkir bandung")
        t4 = time.perf_counter()
        total = args.threads * per_thread
        print(f"threads created: {args.threads} in {t1 - t0:.2f} s")
        print(f"messages upserted: {total} in {t2 - t1:.2f} s ({total / (t2 - t1):,.0f}/s)")
        print(f"threads(primary) over {args.threads} threads: {len(rows)} rows in {t3 - t2:.3f} s")
        print(f"search: {len(hits)} hits in {t4 - t3:.3f} s")
        size = (Path(tmp) / "bench.sqlite3").stat().st_size
        print(f"archive file: {size / 1e6:.1f} MB")
        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        archive.close()


if __name__ == "__main__":
    main()
