"""Text into reportlab Paragraph markup.

``escape`` replaces ``&``, ``<`` and ``>`` exactly as ``xml.sax.saxutils.escape`` does; that
module imports ``urllib.request`` (and with it ``http.client``), which a print never needs.
"""

from html import escape as _escape


def escape(text: str) -> str:
    return _escape(text, quote=False)
