#!/usr/bin/env python3
"""Shrinks a fuzz target's corpus to what is worth committing.

`cargo fuzz cmin` keeps every input that adds coverage, which after ten
minutes is a thousand files or more. This keeps the seeds (`seed-*`, made
from the repository's fixtures) and the KEEP inputs of at most MAX_BYTES
that add the most coverage edges, as a libFuzzer merge counts them.

Run from fuzz/, after `RUSTC_BOOTSTRAP=1 cargo fuzz build <target>`:

    python3 reduce-corpus.py <target> [KEEP] [MAX_BYTES]
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

target = sys.argv[1]
keep = int(sys.argv[2]) if len(sys.argv) > 2 else 300
max_bytes = int(sys.argv[3]) if len(sys.argv) > 3 else 8192
binary = f"target/x86_64-unknown-linux-gnu/release/{target}"
corpus = f"corpus/{target}"

with tempfile.TemporaryDirectory() as work:
    pool = os.path.join(work, "pool")
    shutil.copytree(corpus, pool)
    control = os.path.join(work, "control")
    merged = os.path.join(work, "merged")
    os.mkdir(merged)
    # Edges only (-use_counters=0): hit counts would keep far more files.
    subprocess.run(
        [binary, "-merge=1", "-use_counters=0", f"-merge_control_file={control}", merged, pool],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # The control file lists the inputs, then for each a `COV <index> <edges>`
    # line naming the edges it reached first.
    lines = open(control).read().split("\n")
    count = int(lines[0])
    files = lines[2 : 2 + count]
    edges = {}
    for line in lines:
        if line.startswith("COV "):
            parts = line.split()
            edges[int(parts[1])] = len(parts) - 2
    ranked = sorted(
        (i for i, n in edges.items() if n > 0 and os.path.getsize(files[i]) <= max_bytes),
        key=lambda i: (-edges[i], os.path.getsize(files[i])),
    )[:keep]
    seeds = {name: open(os.path.join(pool, name), "rb").read()
             for name in os.listdir(pool) if name.startswith("seed-")}
    seed_hashes = {hashlib.sha1(data).hexdigest() for data in seeds.values()}
    chosen = {}
    for i in ranked:
        data = open(files[i], "rb").read()
        digest = hashlib.sha1(data).hexdigest()
        if digest not in seed_hashes:
            chosen[digest] = data
    shutil.rmtree(corpus)
    os.mkdir(corpus)
    for name, data in list(seeds.items()) + list(chosen.items()):
        open(os.path.join(corpus, name), "wb").write(data)
    print(f"{corpus}: {len(seeds)} seeds and {len(chosen)} inputs kept")
