#!/usr/bin/env python3
"""Lists every environment variable name the open-webui package reads.

Usage: extract.py <open_webui wheel (.whl) or a directory holding open_webui/> [--version X]

Open WebUI's container image runs the same Python package that PyPI ships as `open-webui`, so the
names its code reads with os.getenv / os.environ.get / os.environ[...] / `in os.environ` are the
settings the image understands. chat-ui.yaml and the chatbot templates may only set those
(apps/budusecases/src/domain/open-webui-settings.spec.ts checks it against the list this prints).
Only literal names count: a name built at run time is not a documented setting.
"""

import ast
import hashlib
import sys
import zipfile
from pathlib import Path

PACKAGE = "open_webui/"


def sources(path: Path):
    """(file name, source text) of every .py file of the open_webui package, in name order."""
    if path.is_dir():
        for file in sorted(path.rglob("*.py")):
            rel = file.relative_to(path).as_posix()
            if rel.startswith(PACKAGE):
                yield rel, file.read_text(encoding="utf-8", errors="replace")
        return
    with zipfile.ZipFile(path) as wheel:
        for name in sorted(wheel.namelist()):
            if name.startswith(PACKAGE) and name.endswith(".py"):
                yield name, wheel.read(name).decode("utf-8", errors="replace")


def is_environ(node: ast.AST) -> bool:
    """`os.environ` or a bare `environ` (from os import environ)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ" and isinstance(node.value, ast.Name) and node.value.id == "os"
    return isinstance(node, ast.Name) and node.id == "environ"


def is_getenv(func: ast.AST) -> bool:
    """os.getenv, getenv, os.environ.get, environ.get."""
    if isinstance(func, ast.Attribute):
        if func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os":
            return True
        return func.attr == "get" and is_environ(func.value)
    return isinstance(func, ast.Name) and func.id == "getenv"


def literal(node: ast.AST):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def names_in(source: str, filename: str) -> set:
    found = set()
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError:
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and is_getenv(node.func) and node.args:
            name = literal(node.args[0])
        elif isinstance(node, ast.Subscript) and is_environ(node.value):
            name = literal(node.slice)
        elif (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], (ast.In, ast.NotIn))
            and is_environ(node.comparators[0])
        ):
            name = literal(node.left)
        else:
            continue
        if name:
            found.add(name)
    return found


def main(argv: list) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(argv[0])
    version = argv[argv.index("--version") + 1] if "--version" in argv else "unknown"
    names = set()
    files = 0
    for filename, source in sources(path):
        files += 1
        names |= names_in(source, filename)
    if files == 0:
        print(f"{path}: no {PACKAGE}*.py files", file=sys.stderr)
        return 1
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "directory"
    print(f"# open-webui=={version}: every environment variable name its code reads ({files} .py files)")
    print(f"# source: {path.name} sha256 {digest}")
    print("# made by scripts/open-webui-settings/extract.py; do not edit by hand")
    for name in sorted(names):
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
