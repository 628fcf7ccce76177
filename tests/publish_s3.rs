//! `cms publish` to a real S3-compatible server (moto, on a free loopback port, installed by
//! `scripts/s3-setup`) through object_store: every object and its headers match the manifest;
//! one page edited moves only its files; a rollback restores the earlier objects; wrong
//! credentials, an unreachable endpoint and a bucket prefix that is not ours are refused with
//! nothing changed.

mod publish_common;

use std::collections::BTreeMap;
use std::process::Output;
use std::time::{Duration, Instant};

use publish_common::*;
use serde_json::Value;

const TARGET: &str = "s3://site-bucket/www";

fn run(m: &Moto, root: &std::path::Path, args: &[&str]) -> Output {
    let mut c = publish_cmd(root, args);
    m.env(&mut c).output().unwrap()
}

fn report(m: &Moto, root: &std::path::Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let o = run(m, root, &a);
    assert_ok(&o);
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The site objects under `www/` (records and blobs apart): key → SHA-256.
fn site_objects(objects: &BTreeMap<String, Value>) -> BTreeMap<String, String> {
    objects
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("www/")?.to_string(), v)))
        .filter(|(k, _)| !k.starts_with("_deploys/") && !k.starts_with("_blobs/"))
        .map(|(k, v)| (k, v["sha256"].as_str().unwrap().to_string()))
        .collect()
}

/// Asserts the objects are the output's files, each with its headers.
fn assert_matches_output(objects: &BTreeMap<String, Value>, out: &std::path::Path) {
    assert!(assert_matches_output_min(objects, out) > 100);
}

/// As [`assert_matches_output`], for any number of files; returns how many.
fn assert_matches_output_min(objects: &BTreeMap<String, Value>, out: &std::path::Path) -> usize {
    let m: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let mut n = 0;
    for f in m["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        let key = format!("www/{path}");
        if path.starts_with("deploy/") {
            assert!(!objects.contains_key(&key), "{key} published");
            continue;
        }
        let o = objects.get(&key).unwrap_or_else(|| panic!("{key} missing"));
        assert_eq!(o["sha256"], f["hash"], "{key}");
        assert_eq!(o["size"], f["size"], "{key}");
        let meta =
            publish::meta::object_meta(path, f["type"].as_str().unwrap(), f["encoding"].as_str());
        assert_eq!(o["type"], meta.content_type.as_str(), "{key}");
        assert_eq!(o["cache"], meta.cache_control.as_str(), "{key}");
        assert_eq!(
            o["encoding"].as_str(),
            meta.content_encoding.as_deref(),
            "{key}"
        );
        n += 1;
    }
    let manifest = &objects["www/manifest.json"];
    assert_eq!(
        manifest["sha256"].as_str().unwrap(),
        sha256(&std::fs::read(out.join("manifest.json")).unwrap())
    );
    n
}

#[test]
fn publishes_to_s3_with_headers_incrementally_and_rolls_back() {
    let moto = Moto::start("site-bucket");
    let (tmp, content) = built_demo();
    let root = tmp.path();
    let out = root.join("public");

    let r = report(&moto, root, &["--to", TARGET]);
    assert!(r["uploaded"].as_u64().unwrap() > 100);
    let objects = moto.objects();
    assert_matches_output(&objects, &out);
    let first = site_objects(&objects);
    let pages: BTreeMap<String, Vec<u8>> = expected(&out);
    assert_assets_live(&pages, "s3");

    edit_one_page(&content);
    build(root);
    let t = Instant::now();
    let r = report(&moto, root, &["--to", TARGET]);
    let took = t.elapsed();
    let uploaded = r["uploaded"].as_u64().unwrap();
    assert!(
        (1..=30).contains(&uploaded),
        "{uploaded} files for one page"
    );
    eprintln!(
        "one page edited: {uploaded} files, {} bytes, {took:?}",
        r["uploaded_bytes"]
    );
    let objects = moto.objects();
    assert_matches_output(&objects, &out);
    let second = site_objects(&objects);
    let moved = second
        .iter()
        .filter(|(k, v)| first.get(*k) != Some(*v))
        .count();
    assert_eq!(
        moved as u64,
        uploaded + 1,
        "the files uploaded and the manifest"
    );

    let r = report(&moto, root, &["--to", TARGET, "--rollback"]);
    assert!(r["restores"].is_string());
    assert_eq!(site_objects(&moto.objects()), first, "rolled back");
    let list = run(&moto, root, &["--to", TARGET, "--list"]);
    assert_ok(&list);
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).lines().count(),
        4,
        "a header and 3 deployments"
    );
}

#[test]
fn wrong_credentials_an_unreachable_endpoint_and_a_foreign_prefix_are_refused() {
    let moto = Moto::start("site-bucket");
    let (tmp, _) = built_demo();
    let root = tmp.path();
    report(&moto, root, &["--to", TARGET]);
    let before = moto.objects();

    let mut c = publish_cmd(root, &["--to", TARGET]);
    let o = moto
        .env(&mut c)
        .env("AWS_SECRET_ACCESS_KEY", "wrong")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("access refused") && stderr(&o).contains("AWS_SECRET_ACCESS_KEY"),
        "{}",
        stderr(&o)
    );

    let mut c = publish_cmd(root, &["--to", TARGET]);
    let t = Instant::now();
    let dead = format!("http://127.0.0.1:{}", free_port());
    let o = moto
        .env(&mut c)
        .env("AWS_ENDPOINT_URL", &dead)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains(TARGET), "{}", stderr(&o));
    assert!(
        t.elapsed() < Duration::from_secs(60),
        "gave up after {:?}",
        t.elapsed()
    );

    // A prefix holding files another tool wrote: refused, untouched.
    moto.put("theirs/index.html", "<p>not ours</p>");
    let o = run(&moto, root, &["--to", "s3://site-bucket/theirs"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not ours"), "{}", stderr(&o));
    // A bucket that does not exist.
    let o = run(&moto, root, &["--to", "s3://no-such-bucket/x"]);
    assert!(!o.status.success(), "{}", stderr(&o));
    let mut after = moto.objects();
    assert!(after.remove("theirs/index.html").is_some());
    assert_eq!(after, before, "something changed");
}

/// The files the objects hold, by their bytes, which must be those of one of `trees`.
fn live_tree(
    objects: &BTreeMap<String, Value>,
    trees: &[&BTreeMap<String, Vec<u8>>],
) -> BTreeMap<String, Vec<u8>> {
    let by_hash: BTreeMap<String, &Vec<u8>> = trees
        .iter()
        .flat_map(|t| t.values())
        .map(|b| (sha256(b), b))
        .collect();
    site_objects(objects)
        .into_iter()
        .map(|(k, h)| {
            let bytes = by_hash
                .get(&h)
                .unwrap_or_else(|| panic!("{k}: bytes of neither output"));
            (k, (*bytes).clone())
        })
        .collect()
}

#[test]
fn a_publish_to_s3_killed_midway_is_completed_by_the_next_run() {
    let moto = Moto::start("site-bucket");
    let (tmp, content) = built_demo();
    let root = tmp.path();
    let out = root.join("public");
    report(&moto, root, &["--to", TARGET]);
    let old = expected(&out);
    // A new style sheet (every page changes, the old sheet is deleted) and a page removed.
    let css = root.join("themes/default/static/style.css");
    let t = std::fs::read_to_string(&css).unwrap();
    std::fs::write(&css, t + "\n.s3-kill-test { color: #000; }\n").unwrap();
    std::fs::remove_file(content.join("sites/vr/tin-tuc/gian-chu-ky-kiem-dinh-2023.md")).unwrap();
    build(root);
    let new = expected(&out);
    let dry = report(&moto, root, &["--to", TARGET, "--dry-run"]);
    let ops = dry["uploaded"].as_u64().unwrap() + dry["deleted"].as_u64().unwrap();
    // Killed while uploading pages (the named steps are killed in tests/publish_kill.rs).
    let point = format!("op:{}", ops / 2);
    let mut c = publish_cmd(root, &["--to", TARGET]);
    let o = moto
        .env(&mut c)
        .env("CMS_KILL_AT", &point)
        .output()
        .unwrap();
    assert!(!o.status.success(), "{point}: not stopped");
    let live = live_tree(&moto.objects(), &[&old, &new]);
    assert_assets_live(&live, &point);
    assert_ne!(live, old, "nothing was uploaded before the kill");
    let r = report(&moto, root, &["--to", TARGET]);
    assert_eq!(r["completed_interrupted"], true, "{point}");
    assert_same(&live_tree(&moto.objects(), &[&new]), &new, "completed");
}

/// An output as `cms build` writes it with precompressed variants (contract 1 of the manifest:
/// `encoding` on `.br`/`.gz` entries, the original's type) and host configuration in `deploy/`.
fn handmade_output(out: &std::path::Path) {
    let files: [(&str, &[u8], &str, Option<&str>); 5] = [
        (
            "sites/d.vn/index.html",
            b"<p>Xin chao</p>",
            "text/html; charset=utf-8",
            None,
        ),
        (
            "sites/d.vn/index.html.br",
            b"\x0b\x07\x80<p>Xin chao</p>\x03",
            "text/html; charset=utf-8",
            Some("br"),
        ),
        (
            "sites/d.vn/app.1a2b3c4d.css",
            b"p{color:red}",
            "text/css; charset=utf-8",
            None,
        ),
        (
            "sites/d.vn/app.1a2b3c4d.css.gz",
            b"\x1f\x8bgz",
            "text/css; charset=utf-8",
            Some("gzip"),
        ),
        ("deploy/nginx/d.vn.conf", b"server {}", "text/plain", None),
    ];
    let mut entries = Vec::new();
    for (path, bytes, mime, enc) in files {
        let p = out.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        let mut e = serde_json::json!({"path": path, "hash": sha256(bytes), "size": bytes.len(), "type": mime});
        if let Some(enc) = enc {
            e["encoding"] = enc.into();
        }
        entries.push(e);
    }
    let m = serde_json::json!({"version": 1, "network": "Mạng thử", "files": entries});
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_vec_pretty(&m).unwrap(),
    )
    .unwrap();
}

#[test]
fn precompressed_variants_carry_their_encoding_and_deploy_is_not_published() {
    let moto = Moto::start("site-bucket");
    let tmp = scratch();
    let root = tmp.path();
    handmade_output(&root.join("public"));
    let r = report(&moto, root, &["--to", "s3://site-bucket/www"]);
    assert_eq!(r["uploaded"], 4);
    assert_eq!(
        r["urls"],
        serde_json::json!(["https://d.vn/", "https://d.vn/app.1a2b3c4d.css"])
    );
    let o = moto.objects();
    assert_matches_output_min(&o, &root.join("public"));
    let br = &o["www/sites/d.vn/index.html.br"];
    assert_eq!(br["encoding"], "br");
    assert_eq!(br["type"], "text/html; charset=utf-8");
    assert_eq!(br["cache"], "public, max-age=0, must-revalidate");
    let gz = &o["www/sites/d.vn/app.1a2b3c4d.css.gz"];
    assert_eq!(gz["encoding"], "gzip");
    assert_eq!(gz["cache"], "public, max-age=31536000, immutable");
    assert!(!o.contains_key("www/deploy/nginx/d.vn.conf"));
}
