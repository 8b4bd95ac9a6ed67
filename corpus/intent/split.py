#!/usr/bin/env python3
"""Splits the labelled corpus once into dev.tsv (tuning) and test.tsv (reporting only).

Run once, on 2026-12-07, over the authors' raw-*.tsv files (then deleted): a row goes to test when the first byte of
SHA-256("optout-intent-split|" + id) is odd. Kept to document the split; running it again needs the raw files.
The second batch (one author's raw-b.tsv, ids <language>-bNNNN) was split by the same rule into dev-b.tsv and
test-b.tsv on the same day.
"""
import csv, glob, hashlib, sys

rows, header = [], None
for path in sorted(glob.glob("raw-*.tsv")):
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        h = next(reader)
        assert header in (None, h), path
        header = h
        rows.extend(reader)
if not rows:
    sys.exit("no raw-*.tsv files")
parts = {"dev": [], "test": []}
for row in rows:
    odd = hashlib.sha256(("optout-intent-split|" + row[0]).encode()).digest()[0] & 1
    parts["test" if odd else "dev"].append(row)
for name, part in parts.items():
    with open(name + ".tsv", "w", encoding="utf-8", newline="") as f:
        for row in [header] + part:
            f.write("\t".join(row) + "\n")
    print(name, len(part))
