"""A synthetic but realistic shop archive, built through igdesk's own store code, cached in /tmp.

Run: .venv/bin/python bench/archive_gen.py --threads 100000  (prints the profile folder)

Customers write in Indonesian and English, with emoji; some messages carry pictures, videos,
shared posts or a story reply; a few threads run to 5,000 messages; most threads are read, a
few are not; threads sit in Primary, General, Requests and Denied. The same size and
GENERATOR_VERSION always give the same archive, so a rerun reuses the cached folder.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from igdesk.config import Profile
from igdesk.domain import Account, Attachment, Contact, Folder, Message, Reaction
from igdesk.store import Archive

#: Bump when the generated content changes: cached archives of older versions are not reused.
GENERATOR_VERSION = 2
#: Where generated archives are kept between runs (IGDESK_BENCH_CACHE overrides it).
CACHE_ROOT = Path(os.environ.get("IGDESK_BENCH_CACHE", "/tmp/igdesk-bench-archives"))
#: Threads with a long history (5,000 messages each), at every size.
BIG_THREADS = 3
BIG_THREAD_MESSAGES = 5_000
#: Messages in all, at most (the 100k archive has this many).
MAX_MESSAGES = 500_000
SHOP_ID = "17840000000000001"
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_DAYS = 3 * 365

FIRST_NAMES = [
    "Siti",
    "Rahma",
    "Dewi",
    "Putri",
    "Ayu",
    "Budi",
    "Agus",
    "Wahyu",
    "Indah",
    "Fitri",
    "Rina",
    "Andi",
    "Yusuf",
    "Nur",
    "Sari",
    "Lestari",
    "Kartika",
    "Bayu",
    "Dimas",
    "Anisa",
    "Emily",
    "Sarah",
    "Jessica",
    "Michael",
    "David",
    "Chloe",
    "Olivia",
    "Liam",
    "Noah",
    "Grace",
]
LAST_NAMES = [
    "Wijaya",
    "Santoso",
    "Pratama",
    "Hidayat",
    "Saputra",
    "Kusuma",
    "Nugroho",
    "Siregar",
    "Lubis",
    "Simanjuntak",
    "Halim",
    "Tan",
    "Gunawan",
    "Setiawan",
    "Smith",
    "Johnson",
    "Brown",
    "Lee",
    "Walker",
    "Hall",
    "Young",
]
CUSTOMER_ID = (
    "Halo kak, {item} {colour} ukuran {size} masih ready?",
    "Kak, ongkir ke {city} berapa ya?",
    "Bisa COD ke {city} gak kak? 🙏",
    "Aku mau order {item} yang {colour} 2 pcs ya kak",
    "Sudah transfer ya kak, mohon dicek 😊",
    "Kak paketnya kapan dikirim? Resi dong",
    "Barangnya sudah sampai, bagus banget! Makasih kak ❤️",
    "Ada diskon gak kak kalau beli 3?",
    "Kak bahannya adem gak? Buat {city} panas banget 🥵",
    "Size chart {item} ada kak?",
)
CUSTOMER_EN = (
    "Hi! Is the {colour} {item} still available in {size}?",
    "How much is shipping to {city}?",
    "Do you ship internationally? I'm in {city} 🌏",
    "I'd like to order two {item}s in {colour}, please",
    "Just paid, please check 👍",
    "When will my order ship? Tracking number please",
    "Received it today, love it!! 😍🔥",
    "Any discount for 3 pieces?",
)
SHOP_ID_TEXTS = (
    "Halo kak, {item} {colour} size {size} ready ya 😊",
    "Ongkir ke {city} Rp{price}.000 kak",
    "Siap kak, ditunggu transferannya 🙏",
    "Sudah dikirim ya kak, resi JNE {resi}",
    "Terima kasih sudah belanja di toko kami kak {name} ❤️",
    "Halo kak {name}, pesanannya sudah kami proses ya",
    "Bisa kak, diskon 10% untuk pembelian 3 pcs",
)
SHOP_EN_TEXTS = (
    "Hi! Yes, the {colour} {item} in {size} is in stock 😊",
    "Shipping to {city} is ${price}",
    "Thank you! Your order ships tomorrow, tracking: {resi}",
    "You're welcome {name}, enjoy it ❤️",
)
ITEMS = ["batik", "kebaya", "tunik", "gamis", "hijab", "kemeja", "dress", "tote", "kaos", "jaket"]
COLOURS = ["merah", "biru", "hitam", "putih", "maroon", "sage", "navy", "mocca", "pink", "olive"]
SIZES = ["S", "M", "L", "XL", "XXL"]
CITIES = [
    "Bandung",
    "Surabaya",
    "Medan",
    "Makassar",
    "Yogyakarta",
    "Semarang",
    "Denpasar",
    "Jakarta",
    "Singapore",
]
FOLDERS = (Folder.PRIMARY,) * 14 + (Folder.GENERAL,) * 4 + (Folder.REQUESTS, Folder.DENIED)


@dataclass(frozen=True)
class Size:
    threads: int
    big: int = BIG_THREAD_MESSAGES  # messages of each of the BIG_THREADS long threads

    @property
    def messages(self) -> int:
        return min(MAX_MESSAGES, BIG_THREADS * self.big + self.threads * 5)

    @property
    def key(self) -> str:
        return f"v{GENERATOR_VERSION}-t{self.threads}-m{self.messages}-b{self.big}"


def big_thread_ids() -> list[str]:
    """The threads with BIG_THREAD_MESSAGES messages (the first ones generated)."""
    return [_thread_id(n) for n in range(BIG_THREADS)]


def small_thread_id() -> str:
    """A thread with only a few messages."""
    return _thread_id(BIG_THREADS + 1)


def _thread_id(n: int) -> str:
    return f"aWdfdGhyZWFk{n:08d}"


def profile_dir(threads: int, *, big: int = BIG_THREAD_MESSAGES, log: bool = True) -> Path:
    """The cached profile folder of an archive of `threads` threads (generated when missing),
    whose BIG_THREADS long threads have `big` messages each."""
    size = Size(threads, big)
    folder = CACHE_ROOT / size.key
    if (folder / "complete").exists():
        return folder
    started = time.perf_counter()
    building = CACHE_ROOT / f"{size.key}.building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    _generate(Profile(building).archive_path, size)
    (building / "complete").write_text(size.key)
    shutil.rmtree(folder, ignore_errors=True)
    building.rename(folder)
    if log:
        seconds = time.perf_counter() - started
        print(f"generated {size.key} in {seconds:.0f} s: {folder}", file=sys.stderr)
    return folder


def _fill(template: str, rng: random.Random, name: str) -> str:
    return template.format(
        name=name,
        item=rng.choice(ITEMS),
        colour=rng.choice(COLOURS),
        size=rng.choice(SIZES),
        city=rng.choice(CITIES),
        price=rng.randint(9, 60),
        resi=f"JP{rng.randint(10**9, 10**10 - 1)}",
    )


def _attachments(n: int, rng: random.Random) -> tuple[Attachment, ...]:
    roll = rng.random()
    if roll < 0.05:
        return (Attachment("image", f"https://cdn.example/img/{n}.jpg"),)
    if roll < 0.06:
        return (Attachment("video", f"https://cdn.example/vid/{n}.mp4"),)
    if roll < 0.07:
        return (Attachment("ig_post", f"https://www.instagram.com/p/{n}/", title="Koleksi baru"),)
    if roll < 0.075:
        return (Attachment("story_reply", f"https://cdn.example/story/{n}.jpg"),)
    return ()


def _messages(
    thread: str, customer: str, name: str, count: int, first: datetime, rng: random.Random
) -> list[Message]:
    english = rng.random() < 0.3
    customer_texts = CUSTOMER_EN if english else CUSTOMER_ID
    shop_texts = SHOP_EN_TEXTS if english else SHOP_ID_TEXTS
    at = first
    out = []
    for k in range(count):
        from_shop = k % 2 == 1 and rng.random() < 0.9
        attachments = _attachments(k, rng)
        text = _fill(rng.choice(shop_texts if from_shop else customer_texts), rng, name)
        if attachments and rng.random() < 0.5:
            text = ""
        reactions = (Reaction(customer, "❤️"),) if from_shop and rng.random() < 0.05 else ()
        out.append(
            Message(
                id=f"{thread}-m{k:05d}",
                thread_id=thread,
                sender_id=SHOP_ID if from_shop else customer,
                created_time=at,
                text=text,
                attachments=attachments,
                reactions=reactions,
                is_from_shop=from_shop,
            )
        )
        at += timedelta(seconds=rng.randint(20, 3 * 3600))
    return out


def _generate(path: Path, size: Size) -> None:
    rng = random.Random(size.threads)
    archive = Archive.open(path)
    try:
        archive.account.save(Account(SHOP_ID, "tokobatik.id", "Toko Batik", "", "BUSINESS"))
        small = size.threads - BIG_THREADS
        average = max((size.messages - BIG_THREADS * size.big) / max(small, 1), 1.0)
        for start in range(0, size.threads, 1_000):
            with archive.transaction():
                for n in range(start, min(start + 1_000, size.threads)):
                    _one_thread(archive, n, average, size.big, rng)
    finally:
        archive.close()


def _one_thread(archive: Archive, n: int, average: float, big: int, rng: random.Random) -> None:
    thread = _thread_id(n)
    customer = f"{9_000_000 + n}"
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    name = f"{first} {last}" if rng.random() < 0.8 else ""
    username = f"{first.lower()}.{last.lower()}{n}"
    picture = f"https://cdn.example/avatar/{n}.jpg" if rng.random() < 0.7 else ""
    archive.contacts.upsert(Contact(customer, username, name, picture), profile_fetched=True)
    folder = Folder.PRIMARY if n < BIG_THREADS + 2 else rng.choice(FOLDERS)
    count = (
        big
        if n < BIG_THREADS
        else max(1, round(rng.expovariate(1 / average)))
        if n != BIG_THREADS + 1
        else 6
    )
    first_at = START + timedelta(seconds=rng.randint(0, SPAN_DAYS * 86_400))
    messages = _messages(thread, customer, first, count, first_at, rng)
    archive.threads.create(thread, customer, folder, first_at)
    archive.messages.upsert(thread, messages)
    if rng.random() < 0.85:
        archive.threads.mark_read(thread)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1_000])
    args = parser.parse_args()
    for threads in args.threads:
        print(profile_dir(threads))


if __name__ == "__main__":
    main()
