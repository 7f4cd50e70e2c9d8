#!/usr/bin/env python3
"""Cross-check of the text format against wabt.

For every text module of the spec suite, the binary that `ferry wast --emit`
encodes must decode to the same module as the binary wabt's wast2json writes
for it, as printed by `ferry inspect --dump` (a canonical form without byte
offsets or custom sections). wabt serves only as a test oracle here.

usage: crosscheck.py FERRY SPEC_DIR WORK_DIR
"""
import json
import os
import shutil
import subprocess
import sys


def dumps(ferry, files):
    """Canonical dumps of several modules, one ferry process per batch."""
    out = {}
    for i in range(0, len(files), 200):
        batch = files[i:i + 200]
        res = subprocess.run([ferry, "inspect", "--dump", "--no-validate"] + batch +
                             (["/dev/null"] if len(batch) == 1 else []),
                             capture_output=True, text=True, errors="replace")
        cur = None
        for line in res.stdout.splitlines(keepends=True):
            if line.startswith("== "):
                cur = line[3:].rstrip("\n")
                out[cur] = ""
            elif cur is not None:
                out[cur] += line
        # A module that fails to decode prints nothing: keep the error text.
        for f in batch:
            if f in out and not out[f]:
                out[f] = "<no output>\n"
    return out


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    ferry, spec_dir, work = sys.argv[1:]
    if not os.path.isdir(spec_dir):
        print(f"crosscheck: {spec_dir} not found, skipped")
        return 0
    if not shutil.which("wast2json"):
        print("crosscheck: wast2json (Debian package wabt) not found, skipped")
        return 0
    shutil.rmtree(work, ignore_errors=True)
    ours_dir, wabt_dir = os.path.join(work, "ours"), os.path.join(work, "wabt")
    os.makedirs(ours_dir)
    os.makedirs(wabt_dir)

    same = differ = 0
    skipped_files = []
    shown = 0
    for name in sorted(os.listdir(spec_dir)):
        if not name.endswith(".wast"):
            continue
        stem = name[:-5]
        path = os.path.join(spec_dir, name)
        res = subprocess.run(["wast2json", path, "-o",
                              os.path.join(wabt_dir, stem + ".json")],
                             capture_output=True)
        if res.returncode != 0:
            skipped_files.append(name)  # this wabt version cannot read it
            continue
        subprocess.run([ferry, "wast", "--emit", ours_dir, path],
                       capture_output=True)
        with open(os.path.join(wabt_dir, stem + ".json")) as f:
            commands = json.load(f)["commands"]
        by_line = {c["line"]: c["filename"] for c in commands
                   if c.get("filename", "").endswith(".wasm")}
        pairs = []
        for line, fname in sorted(by_line.items()):
            ours = os.path.join(ours_dir, f"{stem}.{line}.wasm")
            if os.path.exists(ours):
                pairs.append((ours, os.path.join(wabt_dir, fname)))
        if not pairs:
            continue
        d_ours = dumps(ferry, [p[0] for p in pairs])
        d_wabt = dumps(ferry, [p[1] for p in pairs])
        for o, w in pairs:
            if d_ours.get(o) == d_wabt.get(w) and d_ours.get(o) is not None:
                same += 1
            else:
                differ += 1
                if shown < 20:
                    shown += 1
                    print(f"crosscheck: {o} differs from wabt's {w}")
    if skipped_files:
        print("crosscheck: wast2json cannot read " + ", ".join(skipped_files) +
              "; their modules are not compared")
    print(f"crosscheck: {same} modules identical to wabt's, {differ} different")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
