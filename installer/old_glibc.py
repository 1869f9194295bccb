"""Build the Linux frozen program so that it runs on glibc 2.28 (统信UOS 20, 银河麒麟 V10, Debian 10).

``python -m installer.old_glibc [--arch x86_64|aarch64] [step …]``, also ``make dist`` on Linux.

A program linked on a newer system asks for that system's glibc symbol versions (this machine's
glibc 2.36 hands out GLIBC_2.34 for every pthread call), so the interpreter and the C libraries the
frozen program carries are compiled here with ``zig cc`` against zig's glibc 2.28 stubs:

  zlib, libffi, SQLite   static, position-independent (Debian's own source packages)
  CPython 3.11           shared libpython (PyInstaller carries it), expat and libmpdec from its tree

Then a build environment of that interpreter gets the project's pinned wheels, each one
``manylinux_2_28`` or older (fetched by this machine's pip for the target platform, installed
offline), and PyInstaller freezes ``build_installer.spec`` with it. Everything lands in
``build/old-glibc/<arch>/``; every step is skipped when its result is already there.

Left out of the interpreter, because the frozen program never needs them: ssl/_hashlib (no network;
hashlib has its own sha/md5 code), bz2, lzma, readline, curses, dbm, tkinter, uuid's C helper
(uuid4 uses os.urandom). docs/old-glibc.md says more.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GLIBC = "2.28"
PYTHON_VERSION = "3.11"
SQLITE_VERSION = "3.40.1"  # Debian bookworm's
# Debian source packages (bookworm) the C parts are built from: name → orig tarball prefix.
SOURCES = {"python3.11": "python3.11_", "zlib": "zlib_", "libffi": "libffi_", "sqlite3": "sqlite3_"}
ARCHES = {"x86_64": "amd64", "aarch64": "arm64"}
# Modules whose libraries are not built here: the frozen program does not import them.
DISABLED_MODULES = ("_ssl", "_hashlib", "_bz2", "_lzma", "readline", "_curses", "_curses_panel", "_dbm", "_gdbm",
                    "_tkinter", "_uuid", "nis", "_crypt", "spwd", "ossaudiodev")
# Stdlib test and demo modules nobody freezes.
DISABLED_MODULES += ("_testcapi", "_testinternalcapi", "_testbuffer", "_testimportmultiple", "_testmultiphase",
                     "_xxtestfuzz", "xxlimited", "xxlimited_35", "_ctypes_test", "_testclinic")


def zig_target(arch: str) -> str:
    """zig's target triple: the architecture, Linux, glibc at the version we promise."""
    return f"{arch}-linux-gnu.{GLIBC}"


def wheel_platforms(arch: str, glibc: str = GLIBC) -> list[str]:
    """The platform tags a wheel may carry to run on ``glibc`` (newest first), for ``pip --platform``.

    pip takes the tags literally, so every manylinux_2_N from the ceiling down to 2_17 is named,
    with the legacy aliases of the older ones.
    """
    ceiling = int(glibc.split(".")[1])
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(ceiling, 16, -1)]
    tags.append(f"manylinux2014_{arch}")
    if arch == "x86_64":
        tags += ["manylinux_2_12_x86_64", "manylinux2010_x86_64", "manylinux_2_5_x86_64", "manylinux1_x86_64"]
    return tags


def keep_build_machine_headers_out(setup_py: Path) -> None:
    """CPython's setup.py adds /usr/local and /usr/include/<multiarch> to every extension's compile:
    the build machine's glibc-2.36 headers mixed with zig's 2.28 ones. Our libraries come by CPPFLAGS."""
    text = setup_py.read_text(encoding="utf-8")
    for line in ("            add_dir_to_list(self.compiler.library_dirs, '/usr/local/lib')\n",
                 "            add_dir_to_list(self.compiler.include_dirs, '/usr/local/include')\n",
                 "        self.add_multiarch_paths()\n"):
        if line in text:
            text = text.replace(line, line[:len(line) - len(line.lstrip())] + "pass  # build for glibc 2.28: see old_glibc.py\n")
    setup_py.write_text(text, encoding="utf-8")


class Recipe:
    def __init__(self, arch: str, work: Path | None = None):
        if arch not in ARCHES:
            raise SystemExit(f"不支持的架构：{arch}（可选 {', '.join(ARCHES)}）")
        self.arch = arch
        self.work = work or ROOT / "build" / "old-glibc" / arch
        self.sources = ROOT / "build" / "old-glibc" / "src"
        self.prefix = self.work / "deps"  # the static C libraries
        self.python_prefix = self.work / "python"
        self.tools = self.work / "tools"
        self.venv = self.work / "venv"
        self.wheels = self.work / "wheels"
        self.cross = arch != os.uname().machine

    # -- the compiler -----------------------------------------------------------------------------
    @staticmethod
    def zig() -> str:
        import ziglang  # the "dist" extra; its zig binary is called directly (no Python start per compile)

        return f'"{Path(ziglang.__file__).parent / "zig"}"'

    def write_tools(self) -> None:
        """cc/ar/ranlib wrappers around zig, so configure scripts see ordinary tool names."""
        self.tools.mkdir(parents=True, exist_ok=True)
        zig = self.zig()
        # UBSan is zig's default for unoptimised C (configure probes are unoptimised); zig also makes
        # __DATE__ an error, which CPython's build-info uses.
        flags = f"-target {zig_target(self.arch)} -fno-sanitize=undefined -Wno-date-time"
        wrappers = {
            "cc": f'exec {zig} cc {flags} "$@"',
            "c++": f'exec {zig} c++ {flags} "$@"',
            "ar": f'exec {zig} ar "$@"',
            "ranlib": f'exec {zig} ranlib "$@"',
        }
        # CPython names its shared library with -Wl,-h (GNU ld's short -soname), which zig's linker lacks.
        soname = 'for arg do shift; case "$arg" in -Wl,-h*) arg="-Wl,-soname,${arg#-Wl,-h}";; esac; set -- "$@" "$arg"; done\n'
        for name, body in wrappers.items():
            path = self.tools / name
            path.write_text("#!/bin/sh\n" + (soname if name in ("cc", "c++") else "") + body + "\n")
            path.chmod(0o755)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "CC": str(self.tools / "cc"), "CXX": str(self.tools / "c++"),
            "AR": str(self.tools / "ar"), "RANLIB": str(self.tools / "ranlib"),
            "CFLAGS": "-O2 -fPIC", "CPPFLAGS": f"-I{self.prefix / 'include'}",
            "LDFLAGS": f"-L{self.prefix / 'lib'}",
            # Only our own libraries: the system's .pc files describe glibc-2.36 builds.
            "PKG_CONFIG_PATH": str(self.prefix / "lib" / "pkgconfig"),
            "PKG_CONFIG_LIBDIR": str(self.prefix / "lib" / "pkgconfig"),
            # zig's compiled libc stubs stay inside the clone, like everything else the build makes.
            "ZIG_GLOBAL_CACHE_DIR": str(self.work.parent / "zig-cache"),
            "ZIG_LOCAL_CACHE_DIR": str(self.work.parent / "zig-cache"),
        })
        return env

    def host_flags(self) -> list[str]:
        return [f"--host={self.arch}-linux-gnu", f"--build={os.uname().machine}-linux-gnu"] if self.cross else []

    def run(self, command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        print("+ " + " ".join(command), flush=True)
        subprocess.run(command, cwd=cwd, env=env or self.env(), check=True)

    # -- sources ----------------------------------------------------------------------------------
    def fetch_sources(self) -> None:
        self.sources.mkdir(parents=True, exist_ok=True)
        missing = [name for name, prefix in SOURCES.items() if not any(self.sources.glob(prefix + "*.orig.tar.*"))]
        if missing:
            result = subprocess.run(["apt-get", "source", "--download-only", *missing], cwd=self.sources)
            if result.returncode:
                raise SystemExit("无法下载源码包（apt-get source）：需要 Debian bookworm 的 deb-src 软件源，"
                                 "见 docs/old-glibc.md。")

    def unpack(self, name: str) -> Path:
        tarball = next(path for path in self.sources.glob(SOURCES[name] + "*.orig.tar.*") if "-www" not in path.name)
        target = self.work / "src" / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            with tarfile.open(tarball) as archive:
                # Extraction filters came with 3.11.4; Debian's own tarballs are trusted either way.
                options = {"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}
                archive.extractall(target.parent / (name + ".tmp"), **options)
            (inner,) = (target.parent / (name + ".tmp")).iterdir()
            inner.rename(target)
            (target.parent / (name + ".tmp")).rmdir()
        return target

    # -- the C libraries --------------------------------------------------------------------------
    def build_zlib(self) -> None:
        if (self.prefix / "lib" / "libz.a").exists():
            return
        source = self.unpack("zlib")
        self.run(["./configure", "--static", f"--prefix={self.prefix}"], source)
        self.run(["make", f"-j{os.cpu_count()}", "install"], source)

    def build_libffi(self) -> None:
        if (self.prefix / "lib" / "libffi.a").exists():
            return
        source = self.unpack("libffi")
        self.run(["./configure", f"--prefix={self.prefix}", "--libdir=" + str(self.prefix / "lib"),
                  "--disable-shared", "--enable-static", "--with-pic", "--disable-docs", "--disable-multi-os-directory", "--disable-exec-static-tramp",
                  *self.host_flags()], source)
        self.run(["make", f"-j{os.cpu_count()}", "install"], source)

    def build_sqlite(self) -> None:
        if (self.prefix / "lib" / "libsqlite3.a").exists():
            return
        source = self.unpack("sqlite3")
        env = self.env()
        # What Debian's libsqlite3 enables and Python's sqlite3 module uses (JSON, FTS, RTREE, column metadata).
        env["CFLAGS"] += (" -DSQLITE_ENABLE_COLUMN_METADATA=1 -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS4"
                          " -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE=1 -DSQLITE_ENABLE_JSON1"
                          " -DSQLITE_ENABLE_LOAD_EXTENSION=1")
        # The amalgamation generators (lemon, mkkeywordhash) run here: zig compiles them for this machine.
        env["BCC"] = f'{self.zig()} cc -fno-sanitize=undefined'
        self.run(["./configure", f"--prefix={self.prefix}", "--disable-shared", "--enable-static", "--disable-tcl",
                  "--disable-readline", "--disable-editline", *self.host_flags()], source, env)
        self.run(["make", f"-j{os.cpu_count()}", "libsqlite3.la"], source, env)
        for relative, target in ((".libs/libsqlite3.a", "lib"), ("sqlite3.h", "include"), ("sqlite3ext.h", "include")):
            shutil.copy2(source / relative, self.prefix / target)
        # glibc 2.28 still keeps pthread and dl in their own libraries.
        (self.prefix / "lib" / "pkgconfig" / "sqlite3.pc").write_text(
            f"prefix={self.prefix}\nName: SQLite\nDescription: SQL database engine\nVersion: {SQLITE_VERSION}\n"
            "Libs: -L${prefix}/lib -lsqlite3 -lm -ldl -lpthread\nCflags: -I${prefix}/include\n")

    # -- CPython ----------------------------------------------------------------------------------
    @property
    def python(self) -> Path:
        return self.python_prefix / "bin" / f"python{PYTHON_VERSION}"

    def build_python(self) -> None:
        done = self.python_prefix / ".built"
        if done.exists():
            return
        source = self.unpack("python3.11")
        keep_build_machine_headers_out(source / "setup.py")
        env = self.env()
        env["LDFLAGS"] += " -Wl,-rpath,'$$ORIGIN/../lib'"
        for module in DISABLED_MODULES:
            env[f"py_cv_module_{module}"] = "n/a"
        cross = []
        if self.cross:
            # binutils' readelf reads any architecture; the new pip can only be installed where the
            # interpreter runs (arm64 machine or qemu-user), so ensurepip is left to the venv step there.
            cross = [*self.host_flags(), f"--with-build-python={shutil.which('python' + PYTHON_VERSION) or sys.executable}",
                     "ac_cv_file__dev_ptmx=yes", "ac_cv_file__dev_ptc=no", "ac_cv_buggy_getaddrinfo=no",
                     f"READELF={shutil.which('readelf')}"]
        ensurepip = "--with-ensurepip=no" if self.cross else "--with-ensurepip=install"
        if not (source / "Makefile").exists():  # configure takes minutes under zig: once per tree
            self.run(["./configure", f"--prefix={self.python_prefix}", "--enable-shared", ensurepip,
                      "--without-static-libpython", "--disable-test-modules", *cross], source, env)
        # No libpython3.so (the stable-ABI forwarder): zig cannot link a library from libraries alone,
        # and nothing here loads it.
        self.run(["make", f"-j{os.cpu_count()}", "PY3LIBRARY="], source, env)
        self.run(["make", "install", "PY3LIBRARY="], source, env)
        missing = [name for name in ("zlib", "_sqlite3", "_ctypes", "_decimal", "pyexpat", "_posixsubprocess")
                   if not list((self.python_prefix / "lib" / f"python{PYTHON_VERSION}" / "lib-dynload").glob(name + ".*")
                               )]
        if missing:
            raise SystemExit("解释器缺少这些扩展模块：" + "、".join(missing))
        done.touch()

    # -- the frozen program -----------------------------------------------------------------------
    def requirements(self) -> list[str]:
        """The project's pinned runtime and dist requirements, read from pyproject.toml."""
        import tomllib

        project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        return [*project["dependencies"], *project["optional-dependencies"]["dist"]]

    def fetch_wheels(self) -> None:
        self.wheels.mkdir(parents=True, exist_ok=True)
        platforms = [argument for tag in wheel_platforms(self.arch) for argument in ("--platform", tag)]
        try:
            self.run([sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:", *platforms,
                      "--python-version", PYTHON_VERSION, "--implementation", "cp", "--dest", str(self.wheels),
                      *[requirement for requirement in self.requirements() if "ziglang" not in requirement]],
                     ROOT, dict(os.environ))
        except subprocess.CalledProcessError:
            # Known case: PySide6's aarch64 wheels are manylinux_2_31 (6.8.0.2) or newer, none for 2.28.
            raise SystemExit(f"有依赖包没有适用于 glibc {GLIBC}、{self.arch} 的二进制轮子（上面 pip 的报错说明是哪一个）；"
                             "见 docs/old-glibc.md 的 arm64 一节。") from None

    def require_runnable_interpreter(self) -> None:
        """An arm64 interpreter runs here only through qemu-user's binfmt handler: say so plainly."""
        try:
            subprocess.run([str(self.python), "-c", "pass"], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as error:
            raise SystemExit(f"无法在本机运行 {self.arch} 解释器 {self.python}（{error}）。\n"
                             "冻结这一步需要 arm64 机器，或安装 qemu-user-static 和 binfmt-support 后重试；"
                             "见 docs/old-glibc.md。") from None

    def build_venv(self) -> None:
        self.require_runnable_interpreter()
        python = self.venv / "bin" / "python"
        if not python.exists():
            self.run([str(self.python), "-m", "venv", str(self.venv)], ROOT, dict(os.environ))
        requirements = [requirement for requirement in self.requirements() if "ziglang" not in requirement]
        self.run([str(python), "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(self.wheels),
                  *requirements], ROOT, dict(os.environ))

    def freeze(self, dist: Path) -> None:
        python = self.venv / "bin" / "python"
        self.run([str(python), "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                  "--distpath", str(dist), "--workpath", str(self.work / "pyinstaller"),
                  str(ROOT / "build_installer.spec")], ROOT, dict(os.environ))

    def steps(self) -> dict[str, object]:
        return {
            "tools": self.write_tools, "sources": self.fetch_sources, "zlib": self.build_zlib,
            "libffi": self.build_libffi, "sqlite": self.build_sqlite, "python": self.build_python,
            "wheels": self.fetch_wheels, "venv": self.build_venv,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="为 glibc 2.28 构建冻结版程序（zig cc 编译的 CPython）")
    parser.add_argument("--arch", default=os.uname().machine, choices=sorted(ARCHES))
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="冻结版输出目录（默认 dist/）")
    parser.add_argument("steps", nargs="*", help="只做这些步骤（默认全部，最后冻结）")
    args = parser.parse_args(argv)
    recipe = Recipe(args.arch)
    steps = recipe.steps()
    chosen = args.steps or [*steps, "freeze"]
    for name in chosen:
        if name == "freeze":
            recipe.freeze(args.dist)
        elif name in steps:
            steps[name]()
        else:
            raise SystemExit(f"没有这个步骤：{name}（可选 {', '.join([*steps, 'freeze'])}）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
