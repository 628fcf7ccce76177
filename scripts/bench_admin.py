#!/usr/bin/env python3
"""The web editor's figures on the benchmark corpus, through a real `cms serve --content`:

- opening a site's content list (`/admin/sites/<site>/`, 50 rows, with and without a filter
  and a search): p50/p95 over LIST_REQUESTS requests;
- opening the edit form of a page (`/admin/sites/<site>/edit/<path>`): p50/p95 over FORMS;
- the live preview (`POST /api/v1/sites/<site>/preview/<path>`, the page's text with one more
  character each time, as while typing): p50/p95 over PREVIEWS requests, after a first one
  that makes the previews' cache of the live network (timed alone); the browser adds the
  editor's debounce to this;
- the admin's CSS and JavaScript, gzipped (-9), as a browser downloads them.

Usage: bench_admin.py CMS_BIN CONTENT_DIR THEMES_DIR WORK_DIR
Writes WORK_DIR/admin-results.json and prints a table.
"""

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_api  # noqa: E402  (the corpus repository, the client, percentiles)

LIST_REQUESTS = int(os.environ.get("LIST_REQUESTS", "200"))
FORMS = int(os.environ.get("FORMS", "100"))
PREVIEWS = int(os.environ.get("PREVIEWS", "100"))


def timed(fn, n):
    lat = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        lat.append((time.perf_counter() - t) * 1000)
    return {"p50": bench_api.pct(lat, 50), "p95": bench_api.pct(lat, 95), "n": n}


def main():
    cms, content, themes, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    bare = bench_api.repo(content, work)
    out = os.path.join(work, "admin-public")
    db = os.path.join(work, "admin.sqlite3")
    for p in (db, db + "-wal", db + "-shm"):
        if os.path.exists(p):
            os.remove(p)
    shutil.rmtree(out, ignore_errors=True)
    url = "sqlite:" + db
    site = sorted(os.listdir(os.path.join(content, "sites")))[1]
    bench_api.sh(cms, "user", "add", "bientap", "--name", "Người biên tập",
                 "--email", "bientap@example.invalid", "--role", f"{site}:editor",
                 "--password-stdin", "--database-url", url,
                 input=bench_api.PASSWORD.encode(), stdout=subprocess.DEVNULL)
    port = bench_api.free_port()
    log = open(os.path.join(work, "admin-serve.log"), "w")
    server = subprocess.Popen([cms, "serve", "--content", bare, "--themes", themes, "--out", out,
                               "--addr", f"127.0.0.1:{port}", "--database-url", url,
                               "--rate-limit", "0"], stderr=log, stdout=log)
    try:
        bench_api.wait_live(port)
        run(port, site, work)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(port, site, work):
    ed = bench_api.Client(port)
    ed.login("bientap")
    st, _, data = ed.call("GET", f"/api/v1/sites/{site}/content?per_page=100")
    items = json.loads(data)["items"]
    pages = [i for i in items if i.get("kind") and not i["path"].endswith("_index.md")]
    sections = sorted({i.get("section") for i in items if i.get("section")})

    def get_ok(path):
        st, _, body = ed.call("GET", path)
        assert st == 200, (st, path, body[:300])
        return body

    queries = [{}, {"section": sections[0]}, {"q": "giao thong"}, {"page": 7}]
    lists = timed(lambda i: get_ok(f"/admin/sites/{site}/?"
                                   + urllib.parse.urlencode(queries[i % len(queries)])), LIST_REQUESTS)
    forms = timed(lambda i: get_ok(f"/admin/sites/{site}/edit/{pages[i % len(pages)]['path']}"), FORMS)
    page = pages[0]["path"]
    st, _, data = ed.call("GET", f"/api/v1/sites/{site}/pages/{page}")
    text = json.loads(data)["text"] + "\n\n"

    def preview(i):
        st, _, body = ed.call("POST", f"/api/v1/sites/{site}/preview/{page}",
                              {"text": text + "Gõ thử tiếng Việt"[: i % 17 + 1]})
        assert st == 200, (st, body[:300])

    # The first preview after a build went live makes the previews' cache of the network.
    t = time.perf_counter()
    preview(0)
    first = (time.perf_counter() - t) * 1000
    previews = timed(preview, PREVIEWS)
    html = get_ok(f"/admin/sites/{site}/edit/{page}").decode()
    assets = {}
    for src in sorted(set(re.findall(r'"(/admin/assets/[^"]+)"', html))):
        raw = get_ok(src)
        assets[src.rsplit("/", 1)[1]] = {"bytes": len(raw), "gzip": len(gzip.compress(raw, 9))}
    res = {"list_ms": lists, "edit_form_ms": forms, "preview_ms": previews,
           "first_preview_ms": first, "assets": assets}
    json.dump(res, open(os.path.join(work, "admin-results.json"), "w"), indent=2)
    print(f"content list (50 rows) : p50 {lists['p50']:.1f} ms, p95 {lists['p95']:.1f} ms")
    print(f"edit form              : p50 {forms['p50']:.1f} ms, p95 {forms['p95']:.1f} ms")
    print(f"preview                : p50 {previews['p50']:.1f} ms, p95 {previews['p95']:.1f} ms (goal ≤ 150 ms with the debounce)")
    print(f"first preview          : {first:.1f} ms (the previews' cache of the live network made)")
    total = sum(a["gzip"] for a in assets.values())
    for name, a in assets.items():
        print(f"  {name:<28} {a['bytes']:>8} B, gzip {a['gzip']:>7} B")
    print(f"admin assets on the edit page, gzipped: {total} B")


if __name__ == "__main__":
    main()
