"""Generate resources/sandbox/scenario.json: the sandbox's demo shop world (deterministic).

Run: python tools/make_scenario.py [OUTPUT]. Same output every run (fixed seed).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "resources" / "sandbox" / "scenario.json"
RNG = random.Random(20240117)

Msg = dict[str, Any]


def c(ago: str, text: str = "", **extra: Any) -> Msg:
    return (
        {"from": "customer", "ago": ago, "text": text, **extra}
        if text
        else {"from": "customer", "ago": ago, **extra}
    )


def s(ago: str, text: str = "", **extra: Any) -> Msg:
    return (
        {"from": "shop", "ago": ago, "text": text, **extra}
        if text
        else {"from": "shop", "ago": ago, **extra}
    )


def minutes(total: int) -> str:
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    return "".join(f"{v}{u}" for v, u in ((days, "d"), (hours, "h"), (mins, "m")) if v) or "1m"


ORDER_URL = "https://tokobatiksari.example/pesanan/TBS-2417"
ORDER_CONFIRMATION: dict[str, Any] = {
    "title": "Pesanan #TBS-2417 dikonfirmasi",
    "subtitle": "Batik tulis Kawung biru, ukuran L · Rp 450.000 termasuk ongkir ke Bandung",
    "image": "batik_blue",
    "url": ORDER_URL,
    "buttons": [
        {"type": "web_url", "title": "Lihat pesanan", "url": ORDER_URL},
        {"type": "postback", "title": "Tanya admin", "payload": "ORDER_TBS-2417_HELP"},
    ],
}

LONG_TEXT = (
    "Halo kak, saya mau cerita sedikit soal pesanan kemarin ya. " * 25
    + "Anyway, long story short: the colours are beautiful but the size chart confused me. " * 25
)[:3000]

CUSTOMERS: list[dict[str, Any]] = [
    {
        "username": "siti.rahma",
        "name": "Siti Rahmawati",
        "follows_business": True,
        "follower_count": 812,
        "avatar": "avatar_1",
    },
    {
        "username": "emily.watson",
        "name": "Emily Watson",
        "follower_count": 340,
        "avatar": "avatar_2",
    },
    {
        "username": "budi_santoso",
        "name": "Budi Santoso",
        "follows_business": True,
        "follower_count": 95,
        "avatar": "avatar_3",
    },
    {
        "username": "rina.kusuma",
        "name": "Rina Kusuma",
        "follower_count": 1500,
        "avatar": "avatar_4",
    },
    {
        "username": "ahmad.fauzi",
        "name": "Ahmad Fauzi",
        "follows_business": True,
        "follower_count": 230,
        "avatar": "avatar_5",
    },
    {
        "username": "dewi.lestari",
        "name": "Dewi Lestari",
        "follows_business": True,
        "business_follows": True,
        "follower_count": 4210,
        "avatar": "avatar_6",
    },
    {"username": "maya.putri", "name": "Maya Putri", "follower_count": 61, "avatar": "avatar_7"},
    {
        "username": "yusuf.alhabsyi",
        "name": "يوسف الحبشي",
        "follower_count": 77,
        "avatar": "avatar_8",
    },
    {"username": "html_tester", "name": "<b>Tester</b>", "follower_count": 3, "avatar": "avatar_2"},
    {
        "username": "panjang.ceritanya",
        "name": "Sri Wahyuni",
        "follower_count": 140,
        "avatar": "avatar_3",
    },
    {"username": "user_tanpa_nama", "name": None, "avatar": None, "follower_count": 0},
    {
        "username": "batikfashionweek",
        "name": "Batik Fashion Week",
        "verified": True,
        "follows_business": True,
        "business_follows": True,
        "follower_count": 128400,
        "avatar": "avatar_4",
    },
    {
        "username": "akun.nonaktif",
        "name": "Akun Nonaktif",
        "available": False,
        "follower_count": 12,
        "avatar": "avatar_5",
    },
    {
        "username": "komentator.saja",
        "name": "Hanya Komentar",
        "follower_count": 20,
        "avatar": "avatar_6",
    },
    {"username": "lama.sekali", "name": "Agus Lama", "follower_count": 5, "avatar": "avatar_7"},
    {
        "username": "old.request.uk",
        "name": "Oliver Grant",
        "follower_count": 50,
        "avatar": "avatar_8",
    },
    {
        "username": "spam.promo.88",
        "name": "Promo Murah",
        "follower_count": 9000,
        "avatar": "avatar_1",
    },
    {
        "username": "pelanggan.setia",
        "name": "Ibu Ratna",
        "follower_count": 310,
        "avatar": "avatar_2",
    },
]

THREADS: list[dict[str, Any]] = [
    {
        "customer": "siti.rahma",
        "messages": [
            c("2d3h", "Halo kak, batik tulis motif parang masih ready?"),
            s("2d2h50m", "Halo kak Siti, masih ready 2 pcs 😊"),
            s("2d2h49m", attachments=[{"type": "image", "media": "batik_red"}]),
            c(
                "2d2h",
                "Cantik banget! Ada warna lain?",
                reply_to=2,
                reactions=[{"emoji": "❤️", "name": "love", "by": "shop"}],
            ),
            s(
                "2d1h",
                attachments=[
                    {"type": "image", "media": "batik_blue"},
                    {"type": "image", "media": "batik_green"},
                ],
            ),
            c("3h20m", "Yang biru ya kak, ukuran L 🙏", reactions=[{"emoji": "👍", "by": "shop"}]),
            s("3h10m", "Siap kak, total Rp 450.000 sudah termasuk ongkir ke Bandung"),
            c("2h6m", "Sudah transfer ya kak"),
            c(
                "2h5m",
                attachments=[{"type": "image", "media": "photo", "name": "bukti-transfer.jpg"}],
            ),
            # the shop's automated order confirmation: a generic template, listed last so
            # the ids of the messages above stay as they were
            s("3h9m", template=ORDER_CONFIRMATION),
        ],
    },
    {
        "customer": "emily.watson",
        "messages": [
            c("23h40m", "Hi! Do you ship to Melbourne? I love the indigo scarf."),
            s("23h20m", "Hi Emily! Yes, we ship worldwide via EMS, about 7-10 days."),
            c("23h", "Great, how much is shipping for two scarves?"),
        ],
    },
    {
        "customer": "budi_santoso",
        "messages": [
            c("3d", "Kak, kemeja batik pria ukuran XL ada?"),
            s("2d23h", "Ada kak, motif kawung dan sidomukti"),
            c("25h", "Saya mau yang kawung, bisa COD Jogja?"),
        ],
    },
    {
        "customer": "rina.kusuma",
        "messages": [
            c("6d2h", "Kak, bisa custom seragam kantor 30 pcs?"),
            s("6d1h", "Bisa kak, minimal order 20 pcs. Boleh kirim desainnya?"),
            c(
                "6d",
                attachments=[
                    {"type": "file", "media": "invoice_pdf", "name": "desain-seragam.pdf"}
                ],
            ),
        ],
    },
    {
        "customer": "ahmad.fauzi",
        "messages": [
            c("9d", "Assalamualaikum, sarung batik masih ada?"),
            s("8d23h", "Waalaikumsalam, masih kak"),
            c("8d", "Oke nanti saya kabari lagi"),
        ],
    },
    {
        "customer": "maya.putri",
        "messages": [
            c("1h15m", "Kak ini masih ada? 😍😍🔥 #batik #ootd"),
            c(
                "1h14m",
                shares=[
                    {
                        "kind": "ig_post",
                        "media": "batik_green",
                        "name": "tokobatik.sari",
                        "description": "Koleksi baru: batik tulis pewarna alam 🌿",
                    }
                ],
            ),
        ],
    },
    {
        "customer": "yusuf.alhabsyi",
        "messages": [
            c("5h", "السلام عليكم، هل يمكن الشحن إلى جدة؟ Batik untuk hadiah 🎁"),
        ],
    },
    {
        "customer": "html_tester",
        "messages": [
            c(
                "7h",
                "<b>hi</b><script>alert(1)</script> & \"quotes\" 'single' <img src=x "
                "onerror=alert(2)>",
            ),
        ],
    },
    {"customer": "panjang.ceritanya", "messages": [c("9h30m", LONG_TEXT)]},
    {"customer": "user_tanpa_nama", "messages": [c("11h", "halo")]},
    {
        "customer": "batikfashionweek",
        "messages": [
            c("4h", "Hi @tokobatik.sari! We'd love to feature you at BFW 2025 ✨"),
            c("3h59m", story={"kind": "mention", "media": "story_1"}),
            s("3h30m", "Wow, terima kasih! We'd be honoured 🙏"),
            c(
                "3h",
                "We mentioned you in an older story too",
                story={"kind": "mention", "media": None},
            ),
        ],
    },
    {
        "customer": "akun.nonaktif",
        "messages": [
            c("2h30m", "Kak saya mau pesan"),
        ],
    },
    {"customer": "lama.sekali", "messages": [c("35d", "Kak, masih buka?")]},
    {"customer": "old.request.uk", "messages": [c("45d", "Hello, wholesale prices please?")]},
    {
        "customer": "spam.promo.88",
        "messages": [
            c("60d", "PROMO FOLLOWERS MURAH!!! 1000 followers cuma 10rb 💸💸"),
        ],
    },
    {
        "customer": "pelanggan.setia",
        "messages": [
            c("92d", "Terima kasih kak, batiknya bagus sekali"),
            s("91d", "Sama-sama bu Ratna 🙏"),
        ],
    },
]

DEWI = [
    "Kak, mau tanya soal batik cap vs tulis",
    "Bedanya apa ya kak?",
    "Oh begitu, jadi tulis lebih lama prosesnya",
    "Harga kisaran berapa?",
    "Ada diskon untuk reseller?",
    "Saya punya toko di Malang",
    "Boleh minta katalog?",
    "Terima kasih kak",
]
SHOP_LINES = [
    "Batik tulis dibuat dengan canting, satu kain bisa 1-3 bulan kak",
    "Untuk reseller diskon 15% minimal 10 pcs",
    "Katalog saya kirim ya kak",
    "Sama-sama kak 😊",
    "Siap kak, ditunggu kabarnya",
]


def dewi_thread() -> dict[str, Any]:
    """34 messages over two weeks: the 14 oldest are beyond the API's 20-message limit."""
    messages: list[Msg] = []
    total = 34
    for index in range(total):
        ago = minutes(14 * 1440 - index * 580 - 30)
        if index % 2 == 0:
            messages.append(c(ago, DEWI[(index // 2) % len(DEWI)] + f" ({index + 1})"))
        else:
            messages.append(s(ago, SHOP_LINES[(index // 2) % len(SHOP_LINES)]))
    messages[31] = c(messages[31]["ago"], attachments=[{"type": "video", "media": "clip"}])
    messages[32] = c(messages[32]["ago"], attachments=[{"type": "audio", "media": "voice_wav"}])
    messages[33] = c(
        messages[33]["ago"], "Balas story kakak ya", story={"kind": "reply_to", "media": "story_1"}
    )
    messages[20] = c(messages[20]["ago"], "pesan ini sudah ditarik", deleted=True)
    messages[24] = c(messages[24]["ago"], "ini juga ditarik", deleted="true")
    messages[26] = c(messages[26]["ago"], unsupported=True)
    messages[28] = c(messages[28]["ago"], sticker="sticker_heart")
    return {"customer": "dewi.lestari", "messages": messages}


FIRST = [
    "Ani",
    "Rizky",
    "Putri",
    "Fajar",
    "Nadia",
    "Dimas",
    "Intan",
    "Bayu",
    "Laras",
    "Eko",
    "Sarah",
    "James",
    "Chloe",
    "Hendra",
    "Wulan",
    "Kevin",
    "Lina",
    "Teguh",
    "Grace",
    "Arif",
    "Mega",
    "Tommy",
    "Citra",
    "Reza",
    "Anna",
    "Yoga",
    "Sinta",
    "David",
    "Fitri",
    "Joko",
]
LAST = [
    "Wijaya",
    "Pratama",
    "Saputra",
    "Hidayat",
    "Nugroho",
    "Smith",
    "Lim",
    "Tan",
    "Susanto",
    "Permata",
    "Halim",
    "Brown",
]
ASK_ID = [
    "Kak, ready stok?",
    "Ongkir ke Medan berapa kak?",
    "Bisa kirim hari ini?",
    "Ada ukuran anak?",
    "Kak minta pricelist dong",
    "Bahannya adem ga kak?",
    "Sudah sampai kak, makasih 🥰",
    "Kalau beli 3 dapat diskon?",
]
ASK_EN = [
    "Hi, is this available?",
    "Do you accept PayPal?",
    "What's the fabric?",
    "Can you gift wrap it?",
    "Thanks, it arrived safely!",
    "Is the colour true to photo?",
]
REPLY = [
    "Ready kak 😊",
    "Bisa kak, kami kirim sore ini",
    "Yes, it's available!",
    "Sure, we can gift wrap it for free 🎁",
    "Sama-sama kak 🙏",
    "Ongkir Rp 35.000 kak",
]
EXTRA: list[dict[str, Any]] = [
    {"shares": [{"kind": "share", "link": "https://www.instagram.com/p/C1a2B3c4D5e/"}]},
    {"shares": [{"kind": "reel", "media": "clip", "description": "Proses membatik 🎥"}]},
    {"attachments": [{"type": "audio", "media": "voice_m4a"}]},
    {"attachments": [{"type": "image", "media": "photo"}]},
    {"story": {"kind": "reply_to", "media": None}, "text": "Motif ini ada kak?"},
]


def bulk_threads() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    customers, threads = [], []
    for number in range(30):
        first = FIRST[number]
        last = RNG.choice(LAST)
        username = f"{first.lower()}.{last.lower()}{RNG.randint(1, 99)}"
        english = first in ("Sarah", "James", "Chloe", "Kevin", "Grace", "Tommy", "Anna", "David")
        follows = RNG.random() < 0.5
        customers.append(
            {
                "username": username,
                "name": f"{first} {last}",
                "follows_business": follows,
                "follower_count": RNG.randint(10, 3000),
                "avatar": f"avatar_{number % 8 + 1}",
            }
        )
        pool = ASK_EN if english else ASK_ID
        start = RNG.randint(30, 20 * 1440)
        messages: list[Msg] = []
        for step in range(RNG.randint(1, 4)):
            ago = max(1, start - step * RNG.randint(5, 240))
            if step % 2 == 0 or not (follows or number % 3 == 0):
                messages.append(c(minutes(ago), RNG.choice(pool)))
            else:
                messages.append(s(minutes(ago), RNG.choice(REPLY)))
        if number < len(EXTRA):
            extra = dict(EXTRA[number])
            text = extra.pop("text", "")
            messages.append(c(minutes(max(1, start - 300)), text, **extra))
            messages.sort(key=lambda m: -_minutes_of(m["ago"]))
        threads.append({"customer": username, "messages": messages})
    return customers, threads


def _minutes_of(text: str) -> int:
    total, number = 0, ""
    for char in text:
        if char.isdigit():
            number += char
        else:
            total += int(number) * {"d": 1440, "h": 60, "m": 1}[char]
            number = ""
    return total


def scenario() -> dict[str, Any]:
    customers, threads = bulk_threads()
    return {
        "format": "igdesk-sandbox-scenario",
        "version": 1,
        "description": "Toko Batik Sari: a small Indonesian batik shop. Generated by "
        "tools/make_scenario.py; times are relative to sandbox start.",
        "shop": {
            "ig_id": "17841400000000123",
            "app_scoped_id": "9036154213317429",
            "username": "tokobatik.sari",
            "name": "Toko Batik Sari",
            "page_id": "108824217654321",
            "page_name": "Toko Batik Sari",
            "app_id": "1234567890123456",
        },
        "human_agent": True,
        "posts": POSTS,
        "customers": CUSTOMERS + customers,
        "threads": [*THREADS, dewi_thread(), *threads],
    }


POSTS: list[dict[str, Any]] = [
    {
        "caption": "Batik tulis Parang merah, katun primisima. Ready 3 pcs! #batik #tokobatiksari",
        "media": "batik_red",
        "ago": "2d4h",
    },
    {
        "caption": "Kawung biru untuk seragam kantor, bisa custom ukuran 🙏",
        "media": "batik_blue",
        "ago": "6d",
    },
    {
        "caption": "Proses mencanting di workshop kami (video)",
        "media": "clip",
        "ago": "12d",
    },
    {
        "caption": "Sogan hijau, motif Sidomukti. DM untuk harga.",
        "media": "batik_green",
        "ago": "20d",
    },
    {
        "caption": "Foto pelanggan: kemeja batik untuk wisuda 🎓",
        "media": "photo",
        "ago": "41d",
    },
    {
        "caption": "Koleksi baru minggu ini — geser untuk lihat semua",
        "media": "batik_red",
        "media_type": "CAROUSEL_ALBUM",
        "ago": "60d",
    },
]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.write_text(json.dumps(scenario(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
