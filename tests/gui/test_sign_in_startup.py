"""Start-up does not pay for Qt WebEngine: the window opens without loading it; only the
sign-in view's browser does."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    import igdesk.ui.launch  # everything a start imports
    from igdesk.app import App
    from igdesk.config import Profile
    from igdesk.i18n import Words
    from igdesk.ui.aio import TaskOwner
    from igdesk.ui.images import ImageStore
    from igdesk.ui.main_window import MainWindow
    from igdesk.ui import setup_assistant, sign_in_view  # opened later, on demand

    qt = QApplication([])
    directory = Path(sys.argv[1])
    app = App(Profile(directory / "profile"), token="IGAAstart")
    window = MainWindow(
        app, images=ImageStore(directory / "images"), tasks=TaskOwner("w"), words=Words("en")
    )
    window.show()
    qt.processEvents()
    print("webengine loaded" if "PySide6.QtWebEngineCore" in sys.modules else "no webengine")
    window.close()
    """
)


@pytest.mark.slow
def test_opening_the_main_window_does_not_import_qt_webengine(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "no webengine"
