"""PySide6 widgets over the Qt-free core in ``app``."""
