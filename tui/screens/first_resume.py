"""A screen whose first showing does not restyle what was just styled.

Textual restyles a screen's whole DOM each time it is shown (ScreenResume's refresh_styles:
its CSS may have changed while another screen covered it). The first time is right after the
screen mounted, when every widget was styled as it mounted and nothing can have changed since:
at 100,000 lots that second pass over the main screen's 17 nodes was 13-14 ms of the UI thread
in the turn that paints it first (the detail and problems screens' 8 nodes: ~5 ms). Later
showings (back from another screen) still restyle."""

from __future__ import annotations

from textual import events
from textual.screen import Screen


class FirstResumeKeepsStyles(Screen[None]):
    """Mixed in before Screen: its handler runs before Screen's (Textual calls each class's
    handler along the MRO, subclasses first) and turns the first one's restyle off."""

    _shown_before = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._shown_before:
            self._shown_before = True
            event.refresh_styles = False
