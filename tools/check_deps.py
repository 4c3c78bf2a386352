#!/usr/bin/env python3
"""Checks src/ against src/DEPS: every #include "module/..." must follow an allowed edge, and no domain/ file may
include a network, database, file or thread header. Test files (*_test.*, and anything under a testing/ folder)
are exempt from the edge list. Exits 1 listing every violation."""
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
allowed = {}
with open(os.path.join(root, "DEPS")) as f:
    for line in f:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        module, _, deps = line.partition(":")
        allowed[module.strip()] = set(deps.split())

modules = sorted(allowed, key=len, reverse=True)


def module_of(path):
    for m in modules:
        if path == m or path.startswith(m + "/"):
            return m
    return None


# Headers that mean I/O, threads or clocks: forbidden in the pure domain modules.
FORBIDDEN_IN_DOMAIN = re.compile(
    r"^(thread|mutex|shared_mutex|condition_variable|future|atomic|fstream|filesystem|iostream|cstdio_io|"
    r"sqlite3\.h|libpq-fe\.h|boost/asio.*|boost/beast.*|sys/.*|unistd\.h|fcntl\.h|netinet/.*|arpa/.*|curl/.*|"
    r"spdlog/.*)$")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')

errors = []
for dirpath, _, files in os.walk(root):
    for name in files:
        if not name.endswith((".h", ".cpp")):
            continue
        path = os.path.join(dirpath, name)
        rel = os.path.relpath(path, root)
        own = module_of(os.path.dirname(rel).replace(os.sep, "/"))
        if own is None:
            errors.append(f"{rel}: folder is not a module listed in src/DEPS")
            continue
        # Tests and their fakes (files named *_test.* or *_pgtest.*, or under a testing/ folder) may use any module.
        is_test = name.endswith(("_test.cpp", "_test.h", "_pgtest.cpp")) or "testing" in rel.split(os.sep)[:-1]
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                kind, target = m.groups()
                if kind == '"':
                    dep = module_of(os.path.dirname(target))
                    if dep is None or dep == own:
                        continue
                    if dep not in allowed[own] and not is_test:
                        errors.append(f"{rel}:{lineno}: {own} may not include {target} (edge {own} -> {dep} "
                                      f"is not in src/DEPS)")
                elif own.startswith("domain/") and not is_test and FORBIDDEN_IN_DOMAIN.match(target):
                    errors.append(f"{rel}:{lineno}: domain code may not include <{target}> (no I/O, threads or "
                                  f"clocks in domain/)")

if errors:
    print("\n".join(errors))
    print(f"module edge check: {len(errors)} violation(s)")
    sys.exit(1)
print("module edge check: OK")
