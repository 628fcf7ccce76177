//! End-to-end: the demo network in `content/` builds into a complete set of sites.

mod common;

use std::path::Path;

use common::*;
use sha2::{Digest, Sha256};

fn build_demo(out: &Path) {
    let root = repo_root();
    let o = cms(
        &root,
        &[
            "build",
            "--content",
            "content",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
    );
    assert_ok(&o);
    assert!(
        stderr(&o).is_empty(),
        "the demo network builds without warnings:\n{}",
        stderr(&o)
    );
}

#[test]
fn demo_network_builds_every_site_and_page() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_demo(&out);
    let mt = "sites/mt.gov.vn";
    let sites = [
        "mt.gov.vn",
        "drvn.mt.gov.vn",
        "vec.mt.gov.vn",
        "vinamarine.mt.gov.vn",
        "caa.mt.gov.vn",
        "vnra.mt.gov.vn",
        "viwa.mt.gov.vn",
        "vr.mt.gov.vn",
        "cntt.mt.gov.vn",
    ];
    for s in sites {
        for f in [
            "index.html",
            "404.html",
            "robots.txt",
            "sitemap.xml",
            "rss.xml",
            "atom.xml",
            "tin-tuc/index.html",
            "tin-tuc/rss.xml",
        ] {
            assert!(
                out.join("sites").join(s).join(f).is_file(),
                "missing sites/{s}/{f}"
            );
        }
    }

    // The stylesheet has its content hash in its name, and pages point to that name.
    let home_html = read(&out, &format!("{mt}/index.html"));
    let css: Vec<String> = std::fs::read_dir(out.join(mt))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("style.") && n.ends_with(".css"))
        .collect();
    assert_eq!(css.len(), 1, "{css:?}");
    assert!(
        css[0].len() == "style.12345678.css".len() && home_html.contains(&format!("/{}", css[0])),
        "{css:?}"
    );

    // The legal decision: metadata, the appendix as a table, the PDF beside it.
    let qd = read(
        &out,
        &format!("{mt}/van-ban/qd-1552-qd-bgtvt-2022/index.html"),
    );
    assert!(qd.contains("1552/QĐ-BGTVT"), "number shown");
    assert!(
        qd.contains("<table") && has_attr(&qd, "scope", "col"),
        "appendix table with header scope"
    );
    assert!(qd.contains("Thứ Sáu, 25/11/2022"), "Vietnamese date");
    assert!(out
        .join(format!(
            "{mt}/van-ban/qd-1552-qd-bgtvt-2022/qd-1552-qd-bgtvt.pdf"
        ))
        .is_file());

    // The portal's home shows news of its agencies, with links to their domains.
    let home = read(&out, &format!("{mt}/index.html"));
    assert!(
        home.contains("https://drvn.mt.gov.vn/tin-tuc/")
            || home.contains("https://vr.mt.gov.vn/tin-tuc/"),
        "agency news on the portal home"
    );

    // Every kind of the built-in pack appears on the portal.
    let tree = read_tree(&out.join(mt));
    let html: String = tree
        .iter()
        .filter(|(k, _)| k.ends_with(".html"))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .collect();
    for kind in cms_core::Schemas::builtin().iter().map(|k| k.name.as_str()) {
        assert!(
            html.contains(&format!("kind-{kind}")),
            "no page of kind {kind} on the portal"
        );
    }

    // Organisation and contacts in English too (Decree 42 Art. 7.2).
    assert!(
        tree.keys().any(|k| k.starts_with("en/gioi-thieu/")),
        "English organisation pages"
    );
    assert!(
        tree.keys()
            .any(|k| k.starts_with("en/") && k.contains("lien-he")),
        "English contacts"
    );
}

#[test]
fn cross_site_links_feeds_and_sitemaps() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_demo(&out);
    // An @/ link to another site becomes an absolute URL on its domain; none is left unresolved.
    let all = read_tree(&out);
    let mut cross = 0;
    for (path, bytes) in &all {
        if path.ends_with(".html") {
            let s = String::from_utf8_lossy(bytes);
            assert!(
                !s.contains("href=@/") && !s.contains("href=\"@/"),
                "unresolved @/ link in {path}"
            );
            if path.starts_with("sites/mt.gov.vn/")
                && (s.contains("href=https://cntt.mt.gov.vn/")
                    || s.contains("href=\"https://cntt.mt.gov.vn/"))
            {
                cross += 1;
            }
        }
    }
    assert!(cross > 0, "the portal links to the IT centre's site");

    // Feeds: at most 20 items, newest first, absolute links.
    let rss = read(&out, "sites/mt.gov.vn/rss.xml");
    assert!(rss.starts_with("<?xml") && rss.contains("<rss version=\"2.0\""));
    let items = rss.matches("<item>").count();
    assert!((1..=20).contains(&items), "{items} items");
    assert!(rss.contains("<link>https://mt.gov.vn/"));
    let atom = read(&out, "sites/mt.gov.vn/tin-tuc/atom.xml");
    assert!(
        atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"") && atom.contains("+07:00")
    );

    // Sitemaps: per site, and an index for the network on the portal.
    let sm = read(&out, "sites/drvn.mt.gov.vn/sitemap.xml");
    assert!(
        sm.contains("<loc>https://drvn.mt.gov.vn/</loc>")
            && sm.contains("<loc>https://drvn.mt.gov.vn/tin-tuc/")
    );
    let index = read(&out, "sites/mt.gov.vn/sitemap_index.xml");
    assert_eq!(index.matches("<sitemap>").count(), 9);
    assert!(read(&out, "sites/mt.gov.vn/robots.txt")
        .contains("Sitemap: https://mt.gov.vn/sitemap_index.xml"));

    // The manifest lists every file with its true hash and size.
    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    let files = manifest["files"].as_array().unwrap();
    // The search folder is the server's and .cms/ the build cache: neither is published.
    let published = all
        .keys()
        .filter(|p| !p.starts_with("search/") && !p.starts_with(".cms/"))
        .count();
    assert_eq!(
        files.len() + 1,
        published,
        "every published file but the manifest is listed"
    );
    for f in files {
        let path = f["path"].as_str().unwrap();
        let bytes = &all[path];
        assert_eq!(f["size"].as_u64().unwrap(), bytes.len() as u64, "{path}");
        assert_eq!(
            f["hash"].as_str().unwrap(),
            hex::encode(Sha256::digest(bytes)),
            "{path}"
        );
        assert!(!f["type"].as_str().unwrap().is_empty());
    }
    let site_ids: Vec<&str> = manifest["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(site_ids[0], "mt", "portal first");
    assert!(manifest["sites"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["aliases"][0] == "vinamarine.gov.vn"));
}

#[test]
fn two_builds_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    build_demo(&tmp.path().join("a"));
    build_demo(&tmp.path().join("b"));
    let a = read_tree(&tmp.path().join("a"));
    let b = read_tree(&tmp.path().join("b"));
    assert!(a.contains_key("search/ui.json"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs between two builds");
    }
}

#[test]
fn check_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let o = cms(&repo_root(), &["check", "--content", "content"]);
    assert_ok(&o);
    assert!(stderr(&o).contains("no errors"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn site_filter_builds_only_those_sites() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let o = cms(
        &repo_root(),
        &[
            "build",
            "--content",
            "content",
            "--out",
            out.to_str().unwrap(),
            "--site",
            "drvn",
            "--site",
            "vr",
            "--quiet",
        ],
    );
    assert_ok(&o);
    let sites: Vec<String> = std::fs::read_dir(out.join("sites"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut sites = sites;
    sites.sort();
    assert_eq!(sites, ["drvn.mt.gov.vn", "vr.mt.gov.vn"]);
    let o = cms(
        &repo_root(),
        &[
            "build",
            "--content",
            "content",
            "--out",
            out.to_str().unwrap(),
            "--site",
            "khong-co",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no site `khong-co`"), "{}", stderr(&o));
}

#[test]
fn statuses_sitemap_tree_and_english_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_demo(&out);
    let mt = out.join("sites/mt.gov.vn");
    // The decision of 2022 is in force today; the validity is computed at build.
    let qd = read(&mt, "van-ban/qd-1552-qd-bgtvt-2022/index.html");
    assert!(qd.contains("Còn hiệu lực"), "validity badge");
    // An article can be saved as one standalone file: stylesheet inlined, links to the site.
    let saved = read(
        &mt,
        "van-ban/qd-1552-qd-bgtvt-2022/qd-1552-qd-bgtvt-2022.html",
    );
    assert!(
        saved.contains("<style>")
            && !saved.contains("rel=stylesheet")
            && saved.contains("<base href=\"https://mt.gov.vn/van-ban/qd-1552-qd-bgtvt-2022/\">")
    );
    assert!(
        qd.contains("qd-1552-qd-bgtvt-2022.html"),
        "the article links to its standalone copy"
    );
    // The legal index filters by document type, issuer, year and field as static pages; the
    // procedure catalogue by field, level and agency.
    let index = read(&mt, "van-ban/index.html");
    for facet in [
        "/van-ban/hinh-thuc/quyet-dinh/",
        "/van-ban/nam/2022/",
        "/van-ban/co-quan/bo-giao-thong-van-tai/",
    ] {
        assert!(index.contains(facet), "legal index links to {facet}");
    }
    let decisions = read(&mt, "van-ban/hinh-thuc/quyet-dinh/index.html");
    assert!(
        decisions.contains("1552/QĐ-BGTVT") || decisions.contains("Quyết định số 1552"),
        "the filter lists the decision"
    );
    assert!(!decisions.contains("Thông báo số 91"), "and not the notice");
    assert!(mt.join("thu-tuc/muc-do/toan-trinh/index.html").is_file());
    // The organisation chart is a nested list built from the units' `parent` fields.
    let org = read(&mt, "gioi-thieu/co-cau-to-chuc/index.html");
    let office = org
        .find("Văn phòng Bộ</a><ul>")
        .expect("the Ministry Office has units under it");
    assert!(
        org[office..].contains("Phòng Kiểm soát thủ tục hành chính"),
        "nested under it"
    );
    // Every site has an HTML sitemap ("Sơ đồ cổng") listing its sections.
    let map = read(&mt, "so-do-cong/index.html");
    assert!(map.contains("Sơ đồ cổng") && map.contains("/van-ban/") && map.contains("/tin-tuc/"));
    assert!(out
        .join("sites/drvn.mt.gov.vn/so-do-cong/index.html")
        .is_file());
    // A unit page without its English version is a warning that names the file.
    let tmp2 = tempfile::tempdir().unwrap();
    let content = tmp2.path().join("content");
    fixture(&content);
    write_files(
        &content,
        &[
            (
                "sites/mt/to-chuc/_index.md",
                "+++\ntitle = \"Tổ chức\"\nkind = \"unit\"\n+++\n",
            ),
            (
                "sites/mt/to-chuc/van-phong.md",
                "+++\ntitle = \"Văn phòng Bộ\"\n+++\n",
            ),
        ],
    );
    let o = cms(tmp2.path(), &["build", "--quiet"]);
    assert_ok(&o);
    assert!(
        stderr(&o).contains(
            "content/sites/mt/to-chuc/van-phong.md:1:1: warning: no en version of this `unit` page"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn article_pages_are_small_and_agencies_have_their_colours() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_demo(&out);
    // Every article page is at most 60 KB compressed, before images.
    for (path, bytes) in read_tree(&out) {
        if path.ends_with("index.html") && (String::from_utf8_lossy(&bytes).contains("<article")) {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(&bytes).unwrap();
            let size = gz.finish().unwrap().len();
            assert!(size <= 60 * 1024, "{path}: {size} bytes compressed");
        }
    }
    // An agency site carries its own colours from site.toml, in its stylesheet (no inline
    // style: the Content-Security-Policy allows none).
    let vr = read(&out, "sites/vr.mt.gov.vn/index.html");
    let name = vr
        .split("href=\"/style.")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a stylesheet");
    let css = read(&out, &format!("sites/vr.mt.gov.vn/style.{name}"));
    assert!(
        css.contains("body{--brand:#1d5e2c;--brand-dark:#133f1d}"),
        "theme variables of vr"
    );
    assert!(!vr.contains("style="));
}

#[test]
fn the_procedure_catalogue_is_one_click_from_every_home_page() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_demo(&out);
    for site in std::fs::read_dir(out.join("sites")).unwrap() {
        let site = site.unwrap().path();
        let home = read(&site, "index.html");
        assert!(
            home.contains("https://mt.gov.vn/thu-tuc/")
                || (site.ends_with("mt.gov.vn") && has_attr(&home, "href", "/thu-tuc/")),
            "{}: no link to the procedure catalogue on the home page",
            site.display()
        );
    }
}

#[test]
fn person_and_dataset_layouts_site_logo_and_display_script() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_demo(&out);
    let site = |s: &str| out.join("sites").join(s);

    // A leader's page: the photo shown with its description, contacts as an h-card, no download.
    let person = read(&site("mt.gov.vn"), "lanh-dao/bo-truong/index.html");
    assert!(
        has_attr(
            &person,
            "alt",
            "Ảnh đại diện minh họa của Bộ trưởng Bộ Giao thông vận tải"
        ) && has_attr(&person, "src", "/lanh-dao/bo-truong/anh.svg"),
        "the photo is shown with its alt text"
    );
    assert!(
        has_attr(&person, "class", "profile h-card")
            && has_attr(&person, "href", "tel:02430000100")
    );
    assert!(
        !person.contains("Tải về anh.svg"),
        "the photo is not offered as an attachment"
    );

    // A dataset: its files in a table with format and size.
    let dataset = read(
        &site("mt.gov.vn"),
        "du-lieu-mo/danh-muc-dich-vu-cong-truc-tuyen/index.html",
    );
    assert!(dataset.contains("<th scope=col>Định dạng</th>"));
    assert!(has_attr(
        &dataset,
        "href",
        "/du-lieu-mo/danh-muc-dich-vu-cong-truc-tuyen/danh-muc-dich-vu-cong.csv"
    ));
    assert!(dataset.contains("<td>CSV</td>"));

    // A site's own logo replaces the neutral one; the others keep it.
    let vr_logo = read(&site("vr.mt.gov.vn"), "logo.svg");
    let default_logo = read(&site("drvn.mt.gov.vn"), "logo.svg");
    assert!(vr_logo.contains("Cục Đăng kiểm") && vr_logo != default_logo);

    // The script that remembers display options is fingerprinted and deferred, on every page.
    let home = read(&site("mt.gov.vn"), "index.html");
    let tag = home
        .split("<script ")
        .nth(1)
        .and_then(|s| s.split('>').next())
        .expect("a script on the home page");
    let script = tag
        .split("/display.")
        .nth(1)
        .and_then(|s| s.split(".js").next())
        .map(|hash| format!("display.{hash}.js"))
        .expect("the display script, fingerprinted");
    assert!(tag.contains("defer"), "{tag}");
    assert!(site("mt.gov.vn").join(&script).is_file());
}
