#!/usr/bin/env python3
"""The highest GLIBC symbol version each ELF file of a built bundle needs (and the bundle's maximum).

    python3 installer/linux/glibc_needs.py dist/towndesk            # a table, worst files first
    python3 installer/linux/glibc_needs.py dist/towndesk --json     # one JSON object
    python3 installer/linux/glibc_needs.py dist/towndesk --max 2.28 # exit 1 if any file needs more

A program runs on a target only if the target's glibc is at least the highest ``GLIBC_x.y`` version
any of its ELF files asks for (the dynamic loader refuses the file otherwise: "version `GLIBC_2.34'
not found"). UOS 20 and Kylin V10 ship glibc 2.28. The same is reported for ``GLIBCXX_`` (the
system libstdc++ the Qt libraries link against; the bundle does not carry its own).

Pure Python (reads the ELF version-needs section, ``.gnu.version_r``): no binutils needed, so it
also runs on a bare build or target machine. Files that are not ELF are skipped.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import struct
import sys
from pathlib import Path

SHT_GNU_VERNEED = 0x6FFFFFFE
_VERSION = re.compile(r"^(GLIBC|GLIBCXX|CXXABI)_(\d+(?:\.\d+)*)$")


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in version.split("."))


def needed_versions(path: Path) -> dict[str, set[str]] | None:
    """{"GLIBC": {"2.17", …}, "GLIBCXX": {…}} for an ELF file; None when it is not ELF."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or len(data) < 64:
        return None
    is64 = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    if is64:
        shoff, = struct.unpack_from(end + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x3A)
        fmt = end + "IIQQQQIIQQ"
    else:
        shoff, = struct.unpack_from(end + "I", data, 0x20)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x2E)
        fmt = end + "IIIIIIIIII"
    sections = []
    for i in range(shnum):
        off = shoff + i * shentsize
        if off + struct.calcsize(fmt) > len(data):
            return {}
        # name, type, flags, addr, offset, size, link, info, addralign, entsize
        sections.append(struct.unpack_from(fmt, data, off))
    out: dict[str, set[str]] = {}
    for sec in sections:
        if sec[1] != SHT_GNU_VERNEED:
            continue
        strtab = sections[sec[6]]
        str_off = strtab[4]
        count = sec[7]  # sh_info: number of Verneed entries
        pos = sec[4]
        for _ in range(count):
            _ver, cnt, _file, aux, nxt = struct.unpack_from(end + "HHIII", data, pos)
            apos = pos + aux
            for _ in range(cnt):
                _hash, _flags, _other, name, anext = struct.unpack_from(end + "IHHII", data, apos)
                start = str_off + name
                text = data[start:data.index(b"\0", start)].decode("ascii", "replace")
                m = _VERSION.match(text)
                if m:
                    out.setdefault(m.group(1), set()).add(m.group(2))
                if not anext:
                    break
                apos += anext
            if not nxt:
                break
            pos += nxt
    return out


def scan(root: Path) -> dict:
    files = []
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath, name)
            if path.is_symlink() or not path.is_file():
                continue
            try:
                needs = needed_versions(path)
            except (OSError, struct.error, ValueError, IndexError):
                needs = None
            if needs is None:
                continue
            files.append({
                "file": str(path.relative_to(root)),
                "glibc": max(needs.get("GLIBC", ()), key=_key, default=None),
                "glibcxx": max(needs.get("GLIBCXX", ()), key=_key, default=None),
            })
    files.sort(key=lambda f: (_key(f["glibc"]) if f["glibc"] else (0,), f["file"]), reverse=True)
    top = max((f["glibc"] for f in files if f["glibc"]), key=_key, default=None)
    top_cxx = max((f["glibcxx"] for f in files if f["glibcxx"]), key=_key, default=None)
    return {
        "bundle": str(root),
        "elf_files": len(files),
        "max_glibc": top,
        "max_glibcxx": top_cxx,
        "needing_max_glibc": [f["file"] for f in files if f["glibc"] == top],
        "files": files,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bundle", type=Path, help="the one-folder bundle (dist/towndesk) or any folder")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--max", help="fail (exit 1) when a file needs a newer GLIBC than this, e.g. 2.28")
    p.add_argument("--top", type=int, default=15, help="rows of the table (default 15)")
    args = p.parse_args(argv)
    if not args.bundle.is_dir():
        print(f"not a folder: {args.bundle}", file=sys.stderr)
        return 2
    result = scan(args.bundle)
    too_new = []
    if args.max:
        too_new = [f["file"] for f in result["files"] if f["glibc"] and _key(f["glibc"]) > _key(args.max)]
        result["limit"] = args.max
        result["too_new"] = too_new
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(f"{result['elf_files']} ELF files in {args.bundle}; highest need: GLIBC_{result['max_glibc']}"
              f", GLIBCXX_{result['max_glibcxx']}")
        for f in result["files"][:args.top]:
            print(f"  GLIBC_{f['glibc'] or '-':<6} GLIBCXX_{f['glibcxx'] or '-':<8} {f['file']}")
        if args.max:
            print(f"{len(too_new)} file(s) need more than GLIBC_{args.max}" + (": " + ", ".join(too_new[:10])
                                                                             if too_new else ""))
    return 1 if too_new else 0


if __name__ == "__main__":
    sys.exit(main())
