#!/usr/bin/env python3
"""The content API's figures on the benchmark corpus, through a real `cms serve --content`:

- listing a site's content with a filter: p50/p99 over LIST_REQUESTS requests;
- a save (validated, committed on its draft branch): p50/p95 over SAVES saves;
- publish → the changed page served: p50 over PUBLISHES approvals (approve sent → the new
  title in the page `cms serve` answers).

Usage: bench_api.py CMS_BIN CONTENT_DIR THEMES_DIR WORK_DIR
Writes WORK_DIR/api-results.json and prints a table.
"""

import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse

LIST_REQUESTS = int(os.environ.get("LIST_REQUESTS", "1000"))
SAVES = int(os.environ.get("SAVES", "100"))
PUBLISHES = int(os.environ.get("PUBLISHES", "10"))
PASSWORD = "mat-khau-thu-nghiem-" + os.urandom(4).hex()


def sh(*args, **kw):
    return subprocess.run(args, check=True, **kw)


def repo(content, work):
    """A bare repository of the corpus, one commit (made again when the corpus changed)."""
    bare = os.path.join(work, "corpus.git")
    stamp = os.path.join(work, "corpus.git.stamp")
    key = str(os.stat(os.path.join(content, "network.toml")).st_mtime_ns)
    if os.path.isdir(bare) and open(stamp).read() == key if os.path.exists(stamp) else False:
        return bare
    shutil.rmtree(bare, ignore_errors=True)
    tmp = os.path.join(work, "corpus-work")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(content, tmp)
    env = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.invalid")
    sh("git", "init", "-q", "-b", "main", tmp)
    sh("git", "-C", tmp, "add", "-A")
    sh("git", "-C", tmp, "commit", "-qm", "corpus", env=env)
    sh("git", "clone", "-q", "--bare", tmp, bare)
    shutil.rmtree(tmp)
    open(stamp, "w").write(key)
    return bare


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Client:
    def __init__(self, port, host="localhost"):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.host = host
        self.cookie = None
        self.csrf = None

    def call(self, method, path, body=None, headers=None, host=None):
        h = {"Host": host or self.host}
        if body is not None:
            body = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if self.cookie:
            h["Cookie"] = self.cookie
            if method != "GET":
                h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, dict(r.getheaders()), data

    def login(self, login):
        st, hd, data = self.call("POST", "/api/v1/session", {"login": login, "password": PASSWORD})
        if st != 200:
            sys.exit(f"login {login}: {st} {data[:300]!r}")
        self.cookie = hd["set-cookie"].split(";")[0] if "set-cookie" in hd else hd["Set-Cookie"].split(";")[0]
        self.csrf = json.loads(data)["csrf"]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    cms, content, themes, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    bare = repo(content, work)
    out = os.path.join(work, "api-public")
    db = os.path.join(work, "api.sqlite3")
    for p in (db, db + "-wal", db + "-shm"):
        if os.path.exists(p):
            os.remove(p)
    shutil.rmtree(out, ignore_errors=True)
    url = "sqlite:" + db
    sites = sorted(os.listdir(os.path.join(content, "sites")))
    site = sites[1]
    for login, role in (("bientap", "editor"), ("pheduyet", "approver")):
        sh(cms, "user", "add", login, "--name", f"Người {role}", "--email", f"{login}@example.invalid",
           "--role", f"{site}:{role}", "--password-stdin", "--database-url", url,
           input=PASSWORD.encode(), stdout=subprocess.DEVNULL)
    port = free_port()
    log = open(os.path.join(work, "api-serve.log"), "w")
    t0 = time.time()
    server = subprocess.Popen([cms, "serve", "--content", bare, "--themes", themes, "--out", out,
                               "--addr", f"127.0.0.1:{port}", "--database-url", url,
                               "--rate-limit", "0"], stderr=log, stdout=log)
    try:
        run(port, site, t0, work)
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_live(port):
    for _ in range(6000):
        try:
            st, _, data = Client(port).call("GET", "/api/v1/live")
            if st == 200 and json.loads(data).get("commit"):
                return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit("cms serve did not go live")


def run(port, site, t0, work):
    wait_live(port)
    first_build = time.time() - t0
    anon = Client(port)
    st, _, data = anon.call("GET", f"/api/v1/sites/{site}")
    info = json.loads(data)
    domain = info["domain"]
    st, _, data = anon.call("GET", f"/api/v1/sites/{site}/content?per_page=100")
    listing = json.loads(data)
    pages = [i for i in listing["items"] if i.get("kind") and not i["path"].endswith("_index.md")]
    sections = sorted({i.get("section") for i in listing["items"] if i.get("section")})
    # Listing with a filter.
    lat = []
    rnd = random.Random(7)
    for n in range(LIST_REQUESTS):
        q = {"section": rnd.choice(sections), "page": rnd.randint(1, 5), "per_page": 20}
        if n % 3 == 1:
            q = {"lang": "vi", "page": rnd.randint(1, 20)}
        path = f"/api/v1/sites/{site}/content?" + urllib.parse.urlencode(q)
        t = time.perf_counter()
        st, _, _ = anon.call("GET", path)
        lat.append((time.perf_counter() - t) * 1000)
        assert st in (200,), (st, path)
    ed = Client(port)
    ed.login("bientap")
    ap = Client(port)
    ap.login("pheduyet")
    # Saves.
    saves = []
    for n in range(SAVES):
        page = pages[n % len(pages)]["path"]
        st, hd, data = ed.call("GET", f"/api/v1/sites/{site}/pages/{page}")
        doc = json.loads(data)
        text = doc["text"].replace("title", f"title", 1)
        text = text + f"\n\nĐoạn thêm {n}.\n"
        t = time.perf_counter()
        st, _, data = ed.call("PUT", f"/api/v1/sites/{site}/pages/{page}", {"text": text},
                              {"If-Match": hd.get("etag") or hd.get("ETag")})
        saves.append((time.perf_counter() - t) * 1000)
        assert st in (200, 201), (st, data[:300])
    # Publish → served.
    pubs = []
    for n in range(PUBLISHES):
        item = pages[(SAVES + n) % len(pages)]
        page = item["path"]
        word = f"xuatban{n}x{os.getpid()}"
        st, hd, data = ed.call("GET", f"/api/v1/sites/{site}/pages/{page}")
        doc = json.loads(data)
        text = doc["text"] + f"\n\nTừ mới {word}.\n"
        st, _, data = ed.call("PUT", f"/api/v1/sites/{site}/pages/{page}", {"text": text},
                              {"If-Match": hd.get("etag") or hd.get("ETag")})
        assert st in (200, 201), (st, data[:300])
        st, _, data = ed.call("POST", f"/api/v1/sites/{site}/submit/{page}", {})
        assert st == 200, (st, data[:300])
        t = time.perf_counter()
        st, _, data = ap.call("POST", f"/api/v1/sites/{site}/approve/{page}", {})
        assert st == 200, (st, data[:300])
        urlpath = urllib.parse.urlparse(item["url"]).path
        while True:
            st, _, body = anon.call("GET", urlpath, host=domain)
            if word.encode() in body:
                break
            if time.perf_counter() - t > 120:
                sys.exit(f"{urlpath} never showed {word}")
            time.sleep(0.02)
        pubs.append((time.perf_counter() - t) * 1000)
    res = {
        "first_build_s": first_build,
        "list_ms": {"p50": pct(lat, 50), "p99": pct(lat, 99), "n": len(lat)},
        "save_ms": {"p50": pct(saves, 50), "p95": pct(saves, 95), "n": len(saves)},
        "publish_to_served_ms": {"p50": pct(pubs, 50), "max": max(pubs), "n": len(pubs)},
    }
    json.dump(res, open(os.path.join(work, "api-results.json"), "w"), indent=2)
    print(f"cms serve --content: first build {first_build:.1f} s")
    print(f"list with a filter : p50 {res['list_ms']['p50']:.1f} ms, p99 {res['list_ms']['p99']:.1f} ms (target p99 ≤ 50 ms)")
    print(f"save               : p50 {res['save_ms']['p50']:.1f} ms, p95 {res['save_ms']['p95']:.1f} ms (target p50 ≤ 30 ms)")
    print(f"publish → served   : p50 {res['publish_to_served_ms']['p50']:.0f} ms, max {res['publish_to_served_ms']['max']:.0f} ms (target p50 ≤ 2 s)")
    print(f"(statistics over {len(lat)} listings, {len(saves)} saves, {len(pubs)} publishes)")


if __name__ == "__main__":
    main()
