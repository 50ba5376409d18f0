"""The Qt binding must not leak references to None/True/False (PySide6 6.12.0 on Python 3.11
does, and a long-running window then aborts with `none_dealloc`)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QRectF
from PySide6.QtGui import QStandardItemModel, QTextOption
from PySide6.QtWidgets import QApplication


def test_setters_and_empty_data_keep_singleton_reference_counts(qapp: QApplication) -> None:
    rect = QRectF(0, 0, 1, 1)
    option = QTextOption()
    model = QStandardItemModel(1, 1)
    index = model.index(0, 0)
    before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for _ in range(1000):
        rect.moveTo(1.0, 2.0)
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        index.data(300)
        index.isValid()
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    lost = [b - a for a, b in zip(after, before, strict=True)]
    assert max(lost) < 10, f"references lost over 1000 calls: {lost}"  # a leak loses ~1000s
