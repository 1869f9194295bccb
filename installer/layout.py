"""What goes into the frozen build, shared by ``build_installer.spec``, ``make deb`` and the tests.

PyInstaller's Qt hooks collect every plugin of the modules imported and everything those plugins
link to; most of it a budget clerk never needs (Wayland, EGL, SVG, GTK theme, TLS, network
information, all translations but Chinese …). ``keep_entry`` decides by the file's place in the
bundle, so the rules read like the folder listing they produce.
"""

from __future__ import annotations

import re
import sys

APP_NAME = "BudgetDesk"
# The folder ``make dist`` writes and the names inside it the installers rely on.
DIST_DIR = f"dist/{APP_NAME}"
GUI_EXECUTABLE = {"linux": APP_NAME, "windows": f"{APP_NAME}.exe"}
# Windows builds a second, console executable so that ``budgetdesk-cli selftest`` can print.
CLI_EXECUTABLE = {"linux": APP_NAME, "windows": "budgetdesk-cli.exe"}
INTERNAL_DIR = "_internal"

# Python packages never frozen: test and development tools, the optional PostgreSQL driver
# (a bureau server installs from source with pip), and big things nothing here imports.
EXCLUDED_MODULES = [
    "tkinter", "_tkinter", "pytest", "_pytest", "pytestqt", "pluggy", "iniconfig", "pygments", "ruff",
    "psycopg", "psycopg_binary", "psycopg_pool", "setuptools", "pkg_resources", "pip", "distutils",
    "_distutils_hack", "PyInstaller", "numpy", "IPython", "lib2to3", "pydoc_data", "readline",
    # reportlab needs Pillow's core; its optional codecs (AVIF, WebP, colour management) it does not.
    "PIL._avif", "PIL.AvifImagePlugin", "PIL._webp", "PIL.WebPImagePlugin", "PIL._imagingcms", "PIL.ImageCms",
    "PIL._imagingtk", "PIL.ImageTk", "PIL.ImageQt", "charset_normalizer",
    # No network: the program never opens a connection, so no TLS library either. QtNetwork stays for
    # its local socket only (one window per user and database, ui/common/single_instance.py); its TLS and
    # network-information plugins are not in QT_PLUGINS, so they are left out.
    "ssl", "_ssl", "_hashlib",  # hashlib falls back to its built-in md5/sha code
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtSvg", "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets", "PySide6.QtDBus", "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtXml",
    "PySide6.QtConcurrent", "PySide6.QtUiTools", "PySide6.QtDesigner", "PySide6.QtHelp",
]

# Qt plugins kept, by plugin folder: the name stem without "lib" and the file extension.
QT_PLUGINS = {
    "platforms": {"qxcb", "qoffscreen", "qwindows"},  # X11 (also under XWayland), headless, Windows
    "platforminputcontexts": {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"},
    "platformthemes": {"qxdgdesktopportal"},
    "imageformats": {"qico"},
    "styles": {"qmodernwindowsstyle", "qwindowsvistastyle"},
    "printsupport": {"cupsprintersupport", "windowsprintersupport"},
}
QT_TRANSLATIONS = {"qtbase_zh_CN.qm"}

# Shared libraries that only dropped plugins link to (matched on the file name's start).
_DROPPED_LIBRARIES = re.compile(
    r"^(lib)?(Qt6(QmlNetwork|Svg|WaylandClient|WaylandEglClientHwIntegration|WlShellIntegration|EglFSDeviceIntegration"
    r"|EglFsKmsSupport|EglFsKmsGbmSupport|OpenGL|Qml|QmlModels|Quick|VirtualKeyboard|Pdf)"
    r"|gtk-3|gdk-3|gdk_pixbuf|atk|cairo|pango|harfbuzz-gobject|epoxy|wayland-|gbm|drm|xkbcommon\.so"
    r"|opengl32sw|d3dcompiler)",  # Windows: software OpenGL, unused by a widgets program
    re.IGNORECASE,
)


# Linux: system libraries the .deb declares in ``Depends:`` (installer/deb.py reads them off the
# frozen build with ldd and dpkg -S) instead of carrying a copy. A copy from the build machine
# clashes with the desktop's own X11, fontconfig or GL stack; the distribution's own is the right one.
_LINUX_SYSTEM_LIBRARIES = re.compile(
    r"^lib(X11|X11-xcb|Xau|Xdmcp|Xext|Xrender|xcb|xkbcommon|GL|EGL|GLX|GLdispatch|OpenGL|avahi|blkid|brotli(common|dec)|bsd|cap"
    r"|com_err|cups|datrie|dbus-1|fontconfig|freetype|fribidi|gcc_s|gcrypt|gio-2|glib-2|gmodule-2|gobject-2|gthread-2"
    r"|gmp|gnutls|gpg-error|graphite2|gssapi_krb5|harfbuzz|hogweed|idn2|jpeg|k5crypto|keyutils|krb5(support)?|lz4|md|mount"
    r"|nettle|p11-kit|pcre2|pixman|png16|selinux|stdc\+\+|systemd|tasn1|thai|unistring|zstd|crypto|ssl"
    # Only the dropped libraries above link to these (a copy from Debian 12 needs glibc 2.32–2.36);
    # Pillow's own lzma has a hashed name and stays.
    r"|expat|ffi|lzma\.so)[.-]"
)


# …except these: small, needing nothing newer than glibc 2.28, and named differently or missing on
# Debian 10 / 统信UOS 20 (xcb-util 0.4's libxcb-util.so.1 came with Debian 11; Qt 6's xcb plugin needs it).
CARRIED_SYSTEM_LIBRARIES = {"libxcb-util.so.1"}


def _parts(destination: str) -> list[str]:
    return destination.replace("\\", "/").split("/")


def keep_entry(destination: str, platform: str = sys.platform) -> bool:
    """Whether a file the analysis collected (named by its place in the bundle) goes in."""
    parts = _parts(destination)
    name = parts[-1]
    if (platform.startswith("linux") and len(parts) == 1 and _LINUX_SYSTEM_LIBRARIES.match(name)
            and name not in CARRIED_SYSTEM_LIBRARIES):
        return False
    if "PySide6" in parts:
        inside = parts[parts.index("PySide6") + 1:]
        if inside[:1] == ["Qt"]:
            inside = inside[1:]
        if inside[:1] == ["plugins"] and len(inside) >= 3:
            folder = inside[1]
            stem = re.sub(r"\.(so|dll|dylib)$", "", name)
            stem = stem[3:] if stem.startswith("lib") else stem
            return stem in QT_PLUGINS.get(folder, set())
        if inside[:1] == ["translations"]:
            return name in QT_TRANSLATIONS
        if inside[:1] in (["qml"], ["metatypes"], ["typesystems"], ["include"], ["glue"], ["scripts"]):
            return False
    return not _DROPPED_LIBRARIES.match(name)
