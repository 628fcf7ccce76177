#!/usr/bin/env python3
"""Writes the search benchmark's queries: N lines taken from the corpus's page titles and
topics, as people type them: 1 to 4 words, a third without diacritics, some in quotes, some
taxonomy terms; a fixed seed, so every run asks the same questions.

Usage: bench_queries.py CONTENT_DIR OUT_FILE [N]
"""
import random
import re
import sys
import unicodedata
from pathlib import Path


def fold(s):
    s = s.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def main():
    content, out = Path(sys.argv[1]), Path(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    titles, topics = [], set()
    for p in sorted(content.rglob("*.md")):
        head = p.read_text(encoding="utf-8")[:2000]
        m = re.search(r'^title = "(.*)"$', head, re.M)
        if m:
            titles.append(m.group(1))
        for t in re.findall(r'^topics = \[(.*)\]$', head, re.M):
            topics.update(x.strip().strip('"') for x in t.split(","))
        if len(titles) > 20000:
            break
    if not titles:
        sys.exit(f"no titles under {content}")
    rng = random.Random(42)
    topics = sorted(topics)
    queries = []
    while len(queries) < n:
        r = rng.random()
        if r < 0.1 and topics:
            q = rng.choice(topics)
        else:
            words = rng.choice(titles).split()
            k = min(len(words), rng.choice([1, 2, 2, 3, 3, 4]))
            start = rng.randrange(0, len(words) - k + 1)
            q = " ".join(words[start:start + k]).lower()
            if r > 0.9 and k > 1:
                q = f'"{q}"'
        if rng.random() < 0.33:
            q = fold(q)
        queries.append(q)
    out.write_text("\n".join(queries) + "\n", encoding="utf-8")
    print(f"{len(queries)} queries → {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
