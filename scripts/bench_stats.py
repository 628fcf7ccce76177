#!/usr/bin/env python3
"""Summarise the runs of scripts/bench: a table on stdout and results.json.

Reads the per-run timings (runs.tsv) and the facts scripts/bench collected, passed in
BENCH_* environment variables. Exits 3 when BENCH_STRICT=1 and a target is missed.
"""
import csv
import datetime as dt
import json
import os
import statistics
import sys

WALL_TARGET = 0.33  # our wall time, with the search index / Hugo's, without any search
PAGEFIND_TARGET = 0.10  # our wall time, with the index / Hugo's followed by Pagefind's
SCALE_TARGET = 5.5  # the larger corpus's build with the index / the main corpus's (5x the pages)
NOCHANGE_TARGET = 0.10  # a build over the previous output with no change / a clean build
ONEEDIT_TARGET = 0.15  # the same after editing one page
RSS_TARGET_MIB = 512  # our peak RSS

env = os.environ.get


def num(name):
    return int(env(name, "0") or 0)


def main():
    runs = {"cms": [], "cms-nosearch": [], "cms-full": [], "cms-nochange": [], "cms-oneedit": [],
            "hugo": [], "hugo-minify": [], "pagefind-hugo": [], "cms-scale": [],
            "cms-scale-nosearch": []}
    with open(env("BENCH_RAW"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            wall, user, sys_ = float(row["wall_s"]), float(row["user_s"]), float(row["sys_s"])
            runs[row["tool"]].append({
                "run": int(row["run"]),
                "wall_s": wall,
                "user_s": user,
                "sys_s": sys_,
                "cpu_s": round(user + sys_, 2),
                "peak_rss_mib": round(int(row["maxrss_kib"]) / 1024, 1),
            })

    med = {}
    runs = {t: rs for t, rs in runs.items() if rs}
    for tool, rs in runs.items():
        med[tool] = {
            "wall_s": statistics.median(r["wall_s"] for r in rs),
            "cpu_s": statistics.median(r["cpu_s"] for r in rs),
            "peak_rss_mib": statistics.median(r["peak_rss_mib"] for r in rs),
        }

    def ratio(k):
        h = med["hugo"][k]
        return med["cms"][k] / h if h else float("inf")

    ratios = {"wall": ratio("wall_s"), "cpu": ratio("cpu_s"), "memory": ratio("peak_rss_mib")}
    if "hugo-minify" in med:
        hm = med["hugo-minify"]
        ratios["wall_vs_hugo_minify"] = med["cms"]["wall_s"] / hm["wall_s"] if hm["wall_s"] else float("inf")
        ratios["cpu_vs_hugo_minify"] = med["cms"]["cpu_s"] / hm["cpu_s"] if hm["cpu_s"] else float("inf")
    pairs = []
    if "cms-nosearch" in med and med["cms-nosearch"]["wall_s"]:
        # Paired by run: the two builds of a pair ran one after the other (see cms_pair in
        # scripts/bench), so the median of the pairs' ratios is what indexing adds, with the
        # machine's drift between pairs taken out. The ratio of the medians is shown beside it.
        without = {r["run"]: r for r in runs["cms-nosearch"]}
        pairs = [(r["wall_s"] / without[r["run"]]["wall_s"] - 1,
                  r["cpu_s"] / without[r["run"]]["cpu_s"] - 1)
                 for r in runs["cms"] if r["run"] in without and without[r["run"]]["wall_s"]]
        ratios["search_index_overhead_of_medians"] = med["cms"]["wall_s"] / med["cms-nosearch"]["wall_s"] - 1
        if pairs:
            ratios["search_index_overhead"] = statistics.median(w for w, _ in pairs)
            ratios["search_index_cpu_overhead"] = statistics.median(c for _, c in pairs)
    targets = {
        "wall_ratio_le_0.33": ratios["wall"] <= WALL_TARGET,
        "cms_peak_rss_le_512_mib": med["cms"]["peak_rss_mib"] <= RSS_TARGET_MIB,
    }
    outputs = {
        t: {"files": num(f"BENCH_{t.upper()}_FILES"), "html": num(f"BENCH_{t.upper()}_HTML"),
            "bytes": num(f"BENCH_{t.upper()}_BYTES")}
        for t in ("cms", "hugo")
    }
    pages, sites, nruns = num("BENCH_PAGES"), num("BENCH_SITES"), num("BENCH_RUNS")
    md_files, md_bytes = num("BENCH_MD_FILES"), num("BENCH_MD_BYTES")
    patches = [p for p in (env("BENCH_PATCHES") or "").splitlines() if p]

    mib = 1024 * 1024
    print()
    print(f"Corpus: {pages} pages, {sites} sites ({md_files} Markdown files, "
          f"{md_bytes / mib:.1f} MiB, seed {env('BENCH_SEED')}); {nruns} run(s) each, medians shown")
    print(f"Machine: nproc {env('BENCH_NPROC')}, {env('BENCH_CPU') or 'unknown CPU'}, "
          f"{num('BENCH_MEM_KIB') / mib:.1f} GiB RAM")
    print(f"cms: {env('BENCH_CMS_REV')}   hugo: {env('BENCH_HUGO_VERSION')} (flags: {env('BENCH_HUGO_FLAGS')})")
    for p in patches:
        print(f"note: patched {p}")
    print()
    hdr = f"{'tool':<22}{'wall (s)':>10}{'CPU (s)':>10}{'peak RSS (MiB)':>16}{'files':>9}{'html':>9}{'out (MiB)':>11}"
    print(hdr)
    print("-" * len(hdr))
    names = {"cms": "cms (1 process)", "cms-nosearch": "cms --no-search",
             "cms-full": "cms + .br/.gz",
             "cms-nochange": "cms, no change", "cms-oneedit": "cms, 1 page edited",
             "hugo": f"hugo ({sites} processes)", "hugo-minify": "hugo --minify",
             "pagefind-hugo": "pagefind over hugo", "cms-scale": "cms, larger corpus",
             "cms-scale-nosearch": "cms, larger, no index"}
    for t in med:
        m, o = med[t], outputs.get(t, outputs["cms" if t.startswith("cms") else "hugo"])
        print(f"{names[t]:<22}{m['wall_s']:>10.2f}{m['cpu_s']:>10.2f}{m['peak_rss_mib']:>16.1f}"
              f"{o['files']:>9}{o['html']:>9}{o['bytes'] / mib:>11.1f}")
    print(f"{'ratio cms/hugo':<22}{ratios['wall']:>10.3f}{ratios['cpu']:>10.3f}{ratios['memory']:>16.3f}")
    if "cms-full" in med and med["hugo"]["wall_s"]:
        # Information: the default build also writes the .br/.gz variants, which Hugo does not.
        ratios["wall_with_precompression"] = med["cms-full"]["wall_s"] / med["hugo"]["wall_s"]
        print(f"{'ratio cms+br/gz/hugo':<22}{ratios['wall_with_precompression']:>10.3f}")
    if "wall_vs_hugo_minify" in ratios:
        print(f"{'ratio cms/hugo-minify':<22}{ratios['wall_vs_hugo_minify']:>10.3f}{ratios['cpu_vs_hugo_minify']:>10.3f}")
    print()
    ok = lambda b: "MET" if b else "MISSED"
    print(f"target wall ratio <= {WALL_TARGET}: {ratios['wall']:.3f}  {ok(targets['wall_ratio_le_0.33'])}")
    print(f"target cms peak RSS <= {RSS_TARGET_MIB} MiB: {med['cms']['peak_rss_mib']:.1f} MiB  "
          f"{ok(targets['cms_peak_rss_le_512_mib'])}")
    if "search_index_overhead" in ratios:
        # Information, not a target: tantivy's own writer takes most of it (issue 22).
        over = ratios["search_index_overhead"]
        print(f"search index adds to the build: {over:+.1%}  (median of {len(pairs)} pairs; "
              f"pairs {', '.join(f'{w:+.0%}' for w, _ in pairs)}; ratio of medians "
              f"{ratios['search_index_overhead_of_medians']:+.1%}; CPU {ratios['search_index_cpu_overhead']:+.1%})")
    if "pagefind-hugo" in med:
        both = med["hugo"]["wall_s"] + med["pagefind-hugo"]["wall_s"]
        r = med["cms"]["wall_s"] / both if both else float("inf")
        ratios["wall_vs_hugo_then_pagefind"] = r
        targets[f"wall_vs_hugo_then_pagefind_le_{PAGEFIND_TARGET}"] = r <= PAGEFIND_TARGET
        print(f"target with the index <= {PAGEFIND_TARGET} of Hugo then Pagefind "
              f"({med['hugo']['wall_s']:.2f} s + {med['pagefind-hugo']['wall_s']:.2f} s): {r:.3f}  "
              f"{ok(r <= PAGEFIND_TARGET)}")
    scale_pages = num("BENCH_SCALE_PAGES")
    if "cms-scale" in med and pages:
        grow = scale_pages / pages
        for tool, base, name in [("cms-scale", "cms", "with the index"),
                                 ("cms-scale-nosearch", "cms-nosearch", "without the index")]:
            if tool in med and base in med:
                r = med[tool]["wall_s"] / med[base]["wall_s"]
                m = med[tool]["peak_rss_mib"] / med[base]["peak_rss_mib"]
                ratios[f"{tool}_wall_over_main"] = r
                ratios[f"{tool}_memory_over_main"] = m
                print(f"{scale_pages} pages ({grow:.1f}x the pages) {name}: {med[tool]['wall_s']:.2f} s, "
                      f"{r:.2f}x the wall time; peak {med[tool]['peak_rss_mib']:.0f} MiB, {m:.2f}x the memory")
        r = ratios["cms-scale_wall_over_main"]
        m = ratios["cms-scale_memory_over_main"]
        targets[f"scale_wall_le_{SCALE_TARGET}x"] = r <= SCALE_TARGET
        targets["scale_memory_le_pages"] = m <= grow
        print(f"target {scale_pages} pages with the index <= {SCALE_TARGET}x the main build: {r:.2f}x  "
              f"{ok(r <= SCALE_TARGET)}")
        print(f"target peak memory grows no faster than the pages (<= {grow:.1f}x): {m:.2f}x  {ok(m <= grow)}")
    for tool, target, name in [("cms-nochange", NOCHANGE_TARGET, "no change"),
                               ("cms-oneedit", ONEEDIT_TARGET, "one page edited")]:
        # Against the clean build of the same settings (with the .br/.gz variants), if measured.
        clean = med.get("cms-full", med["cms"])
        if tool in med and clean["wall_s"]:
            r = med[tool]["wall_s"] / clean["wall_s"]
            ratios[f"{tool}_over_clean"] = r
            targets[f"{tool}_le_{target}"] = r <= target
            print(f"target rebuild with {name} <= {target:.0%} of a clean build: {r:.1%}  {ok(r <= target)}")

    result = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "corpus": {"pages": pages, "sites": sites, "seed": num("BENCH_SEED"),
                   "markdown_files": md_files, "markdown_bytes": md_bytes},
        "machine": {"nproc": num("BENCH_NPROC"), "cpu": env("BENCH_CPU"),
                    "mem_kib": num("BENCH_MEM_KIB")},
        "cms": {"rev": env("BENCH_CMS_REV"), "median": med["cms"], "runs": runs["cms"],
                "output": outputs["cms"]},
        "cms_no_search": {"median": med.get("cms-nosearch"), "runs": runs.get("cms-nosearch", [])},
        "cms_no_change": {"median": med.get("cms-nochange"), "runs": runs.get("cms-nochange", [])},
        "cms_one_edit": {"median": med.get("cms-oneedit"), "runs": runs.get("cms-oneedit", [])},
        "hugo_minify": {"median": med.get("hugo-minify"), "runs": runs.get("hugo-minify", [])},
        "pagefind_over_hugo": {"median": med.get("pagefind-hugo"), "runs": runs.get("pagefind-hugo", [])},
        "cms_scale": {"pages": num("BENCH_SCALE_PAGES"), "with_index": runs.get("cms-scale", []),
                      "without_index": runs.get("cms-scale-nosearch", [])},
        "hugo": {"version": env("BENCH_HUGO_VERSION"), "flags": env("BENCH_HUGO_FLAGS"),
                 "config_patches": patches, "median": med["hugo"], "runs": runs["hugo"],
                 "output": outputs["hugo"]},
        "ratios_cms_over_hugo": {k: round(v, 4) for k, v in ratios.items()},
        "targets": {"wall_ratio_max": WALL_TARGET, "cms_peak_rss_mib_max": RSS_TARGET_MIB,
                    "wall_vs_hugo_then_pagefind_max": PAGEFIND_TARGET, "scale_wall_max": SCALE_TARGET,
                    "met": targets},
    }
    path = env("BENCH_JSON")
    with open(path, "w") as f:
        json.dump(result, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"\nresults: {path}")
    if env("BENCH_STRICT") == "1" and not all(targets.values()):
        sys.exit(3)


if __name__ == "__main__":
    main()
