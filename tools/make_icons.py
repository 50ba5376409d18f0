"""Write igdesk's app icons into resources/icons from the one drawing in igdesk/ui/icons.py.

    .venv/bin/python tools/make_icons.py

Writes igdesk.png (256 px, the Linux icon and the window's), igdesk-<N>.png for the usual sizes,
igdesk.ico (Windows: PNG entries 16-256) and igdesk.icns (macOS: PNG entries 16-1024). ICO and
ICNS both hold PNG images, so they are assembled here with `struct`; only Qt draws.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 512)  # 256: igdesk.png
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: ICNS types that hold a PNG, by pixel size.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}
ICNS_RETINA_1024 = b"ic10"


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are PNG images (read by Windows Vista and later)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        blobs += data
    return header + entries + blobs


def icns_bytes(pngs: dict[bytes, bytes]) -> bytes:
    """An ICNS file whose entries are PNG images (macOS 10.7 and later)."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in pngs.items())
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtWidgets import QApplication

    from igdesk.ui.icons import app_pixmap

    app = QApplication.instance() or QApplication([])

    def png(size: int) -> bytes:
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not app_pixmap(size).save(buffer, "PNG"):
            raise SystemExit(f"could not draw the {size} px icon")
        return bytes(buffer.data().data())

    OUT.mkdir(parents=True, exist_ok=True)
    drawn = {size: png(size) for size in (*PNG_SIZES, 256, 1024)}
    for size in PNG_SIZES:
        (OUT / f"igdesk-{size}.png").write_bytes(drawn[size])
    (OUT / "igdesk.png").write_bytes(drawn[256])
    (OUT / "igdesk.ico").write_bytes(ico_bytes({size: drawn[size] for size in ICO_SIZES}))
    icns = {kind: drawn[size] for size, kind in ICNS_TYPES.items()}
    icns[ICNS_RETINA_1024] = drawn[1024]
    (OUT / "igdesk.icns").write_bytes(icns_bytes(icns))
    print(f"icons written to {OUT}")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
