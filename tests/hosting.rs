//! End-to-end on the demo network: what a host is given besides the pages. No page has an
//! inline style or script (the Content-Security-Policy allows none, but the stylesheet of
//! standalone copies, by its hash); the host files name no absolute path; every precompressed
//! variant in the manifest decodes to its original.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use common::*;
use ssg::hosting::{compress, Hosting};
use ssg::ManifestEntry;

fn build_demo(out: &Path) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cms"))
        .args(["build", "--content", "content", "--quiet", "--out"])
        .arg(out)
        .current_dir(repo_root())
        .env("SOURCE_DATE_EPOCH", "1733500000")
        .output()
        .unwrap();
    assert_ok(&o);
}

/// The tags of an HTML text: (name, attributes text), and after each `<script>`/`<style>`
/// what it holds.
fn tags(html: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let attrs = tag[name.len()..].to_string();
        let mut body = String::new();
        if name == "script" || name == "style" {
            let close = format!("</{name}>");
            let stop = rest.find(&close).unwrap_or(rest.len());
            body = rest[..stop].to_string();
            rest = &rest[stop..];
        }
        out.push((name, attrs, body));
    }
    out
}

/// The inline styles and scripts of a page: what a CSP without `unsafe-inline` blocks.
fn inline_problems(html: &str, allowed_styles: &[String]) -> Vec<String> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let mut problems = Vec::new();
    for (name, attrs, body) in tags(html) {
        let lower = attrs.to_ascii_lowercase();
        for word in lower.split(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
            let attr = word.split('=').next().unwrap_or_default();
            if word.contains('=') && (attr == "style" || (attr.starts_with("on") && attr.len() > 2))
            {
                problems.push(format!("<{name}{attrs}>: {attr} attribute"));
            }
        }
        if name == "script" && (!lower.contains("src=") || !body.trim().is_empty()) {
            problems.push(format!("<script{attrs}> with a body"));
        }
        if name == "style" {
            let hash = base64::engine::general_purpose::STANDARD
                .encode(sha2::Sha256::digest(body.as_bytes()));
            if !allowed_styles.contains(&hash) {
                problems.push(format!("<style> {hash} not in the site's CSP"));
            }
        }
    }
    problems
}

#[test]
fn the_tag_scanner_finds_every_kind_of_inline_code() {
    let bad = "<body style=\"--brand: red\"><p onclick=alert(1)>x</p><script>alert(1)</script><style>a{}</style><img src=a.png ONERROR='x'>";
    let p = inline_problems(bad, &[]);
    assert_eq!(p.len(), 5, "{p:?}");
    let ok = "<link rel=stylesheet href=/style.1234abcd.css><script src=/d.js defer></script><p class=online>on= style</p>";
    assert!(inline_problems(ok, &[]).is_empty());
    // sha256 of `a{}`, base64.
    let allowed = ["X1RutGBrXCt9KkSaXMK7tHftWiRscFHOhxsS8tv8hBk=".to_string()];
    assert!(inline_problems("<style>a{}</style>", &allowed).is_empty());
}

#[test]
fn no_page_has_inline_style_or_script_and_variants_decode() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_demo(&out);
    let hosting = Hosting::load(&out).unwrap();
    let mut pages = 0;
    let mut problems = Vec::new();
    for site in &hosting.sites {
        let csp = site
            .headers
            .iter()
            .find(|h| h.name == "Content-Security-Policy")
            .map(|h| h.value.clone())
            .unwrap();
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let allowed: Vec<String> = csp
            .split(['\'', ' '])
            .filter_map(|w| w.strip_prefix("sha256-"))
            .map(str::to_string)
            .collect();
        for (rel, bytes) in read_tree(&out.join(&site.root)) {
            if !rel.ends_with(".html") {
                continue;
            }
            pages += 1;
            for p in inline_problems(&String::from_utf8_lossy(&bytes), &allowed) {
                problems.push(format!("{}/{rel}: {p}", site.domain));
            }
        }
    }
    assert!(pages > 100, "{pages}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The host files name no absolute path, no time: the same commit gives the same bytes.
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let files: Vec<ManifestEntry> = serde_json::from_value(manifest["files"].take()).unwrap();
    let tmp_path = tmp.path().to_string_lossy().to_string();
    let by_path: BTreeMap<&str, &ManifestEntry> =
        files.iter().map(|f| (f.path.as_str(), f)).collect();
    for site in &hosting.sites {
        for f in [
            format!("{}/_headers", site.root),
            format!("{}/_redirects", site.root),
            format!("deploy/nginx/{}.conf", site.domain),
        ] {
            assert!(by_path.contains_key(f.as_str()), "{f} is in the manifest");
            let text = std::fs::read_to_string(out.join(&f)).unwrap();
            assert!(!text.contains(&tmp_path) && !text.contains("/root"), "{f}");
        }
    }
    assert!(by_path.contains_key("deploy/hosting.json"));

    // Every variant decodes to its original and is smaller; its type is the original's.
    let mut variants = 0;
    for f in files.iter().filter(|f| f.encoding.is_some()) {
        let enc = f.encoding.as_deref().unwrap();
        let original = f.path.strip_suffix(compress::suffix(enc).unwrap()).unwrap();
        let o = by_path[original];
        assert_eq!(f.mime, o.mime, "{}", f.path);
        assert!(f.size < o.size, "{}", f.path);
        let bytes = std::fs::read(out.join(&f.path)).unwrap();
        let mut decoded = Vec::new();
        match enc {
            "br" => brotli::Decompressor::new(&bytes[..], 4096)
                .read_to_end(&mut decoded)
                .unwrap(),
            _ => flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut decoded)
                .unwrap(),
        };
        assert_eq!(
            decoded,
            std::fs::read(out.join(original)).unwrap(),
            "{}",
            f.path
        );
        variants += 1;
    }
    // Every page has both.
    for f in files.iter().filter(|f| f.path.ends_with("/index.html")) {
        for s in [".br", ".gz"] {
            assert!(
                by_path.contains_key(format!("{}{s}", f.path).as_str()),
                "{}{s}",
                f.path
            );
        }
    }
    assert!(variants > 500, "{variants}");
}

/// An edit of one page compresses that page again (and the lists that show it), not the
/// others: their variants are linked from the previous build, as their files are.
#[test]
fn an_incremental_build_compresses_only_changed_files() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    copy_dir(&repo_root().join("content"), &content);
    let out = tmp.path().join("public");
    let build = || {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_cms"))
            .args(["build", "--quiet", "--content"])
            .arg(&content)
            .arg("--out")
            .arg(&out)
            .env("SOURCE_DATE_EPOCH", "1733500000")
            .output()
            .unwrap();
        assert_ok(&o);
    };
    build();
    let inode = |rel: &str| std::fs::metadata(out.join(rel)).unwrap().ino();
    let edited = "sites/vr.mt.gov.vn/tin-tuc/dat-lich-dang-kiem-truc-tuyen/index.html.br";
    let other = "sites/mt.gov.vn/gioi-thieu/chuc-nang-nhiem-vu/index.html.br";
    let (edited_before, other_before) = (inode(edited), inode(other));
    let page = content.join("sites/vr/tin-tuc/dat-lich-dang-kiem-truc-tuyen.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{text}\nMột câu mới.\n")).unwrap();
    build();
    assert_ne!(
        inode(edited),
        edited_before,
        "the edited page is compressed again"
    );
    assert_eq!(
        inode(other),
        other_before,
        "another page's variant is linked, not remade"
    );
    let br = std::fs::read(out.join(edited)).unwrap();
    let mut decoded = Vec::new();
    brotli::Decompressor::new(&br[..], 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert!(String::from_utf8_lossy(&decoded).contains("Một câu mới."));
}

/// `--no-precompress` writes no variant (and says so in the manifest); a build with them over
/// it writes them all, as a clean build does.
#[test]
fn no_precompress_writes_no_variant_and_a_later_build_adds_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let build = |extra: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_cms"))
            .args(["build", "--content", "content", "--quiet", "--no-search"])
            .args(extra)
            .arg("--out")
            .arg(&out)
            .current_dir(repo_root())
            .env("SOURCE_DATE_EPOCH", "1733500000")
            .output()
            .unwrap();
        assert_ok(&o);
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        let files: Vec<ManifestEntry> = serde_json::from_value(m["files"].clone()).unwrap();
        files
    };
    let plain = build(&["--no-precompress"]);
    assert!(
        plain.iter().all(|e| e.encoding.is_none()),
        "no variant listed"
    );
    let page = "sites/mt.gov.vn/index.html";
    assert!(out.join(page).is_file());
    assert!(!out.join(format!("{page}.br")).exists(), "no .br written");

    let packed = build(&[]);
    let clean_dir = tmp.path().join("clean");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cms"))
        .args([
            "build",
            "--content",
            "content",
            "--quiet",
            "--no-search",
            "--out",
        ])
        .arg(&clean_dir)
        .current_dir(repo_root())
        .env("SOURCE_DATE_EPOCH", "1733500000")
        .output()
        .unwrap();
    assert_ok(&o);
    let clean: Vec<ManifestEntry> = {
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(clean_dir.join("manifest.json")).unwrap())
                .unwrap();
        serde_json::from_value(m["files"].clone()).unwrap()
    };
    let differ: Vec<String> = packed
        .iter()
        .zip(&clean)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("{} {} ≠ {} {}", a.path, a.hash, b.path, b.hash))
        .take(5)
        .collect();
    assert!(
        packed.len() == clean.len() && differ.is_empty(),
        "the build over a --no-precompress output must list what a clean build lists: {} ≠ {} \
         entries; {differ:?}",
        packed.len(),
        clean.len()
    );
    for e in packed.iter().filter(|e| e.encoding.is_some()) {
        assert!(out.join(&e.path).is_file(), "{} is missing", e.path);
    }
    assert!(packed.iter().any(|e| e.path == format!("{page}.br")));
}
