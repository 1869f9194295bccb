"""Official-format printing: every form, the cover, the 目录 and the 情况说明 to PDF (reportlab).

``build_document`` is the entry point; ``fonts.font_status`` tells the settings dialog which font
is embedded. The 情况说明's text and the clerk's edits of it are ``app.projects.narrative`` (no reportlab).

The names below load on first use, so importing the package does not pay for reportlab at start-up.
"""

from importlib import import_module

_LAZY = {
    "PrintResult": "app.printing.document",
    "build_document": "app.printing.document",
    "render_document": "app.printing.document",
    "font_status": "app.printing.fonts",
    "print_fonts": "app.printing.fonts",
}

__all__ = ["PrintResult", "build_document", "render_document", "font_status", "print_fonts"]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'app.printing' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
