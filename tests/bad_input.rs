//! Every class of bad input: exit 1, a `path:line:col: error:` message that says what to do,
//! and an existing output folder left exactly as it was.

mod common;

use common::*;

/// Builds the fixture after `mutate`, over an existing output, and checks the failure.
fn fails_with(mutate: impl FnOnce(&std::path::Path), expect_file_line: &str, expect_msg: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    fixture(&content);
    let out = tmp.path().join("public");
    std::fs::create_dir_all(out.join("sites")).unwrap();
    std::fs::write(out.join("sentinel.txt"), "previous build").unwrap();
    mutate(&content);
    let o = cms(
        tmp.path(),
        &["build", "--content", "content", "--out", "public"],
    );
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "expected exit 1, got {:?}:\n{err}",
        o.status
    );
    assert!(
        err.contains(expect_file_line),
        "expected `{expect_file_line}` in:\n{err}"
    );
    assert!(
        err.contains(expect_msg),
        "expected `{expect_msg}` in:\n{err}"
    );
    assert!(
        err.contains(": error: "),
        "not in path:line:col: error: form:\n{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // The previous output is untouched and no staging folder is left behind.
    let tree = read_tree(&out);
    assert_eq!(
        tree.keys().collect::<Vec<_>>(),
        vec!["sentinel.txt"],
        "output changed"
    );
    // Beside it, at most the (empty) folder of builds: the failed one is gone.
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != ".public.builds")
        .collect();
    assert_eq!(leftovers.len(), 2, "staging folder left: {leftovers:?}");
    let builds = tmp.path().join(".public.builds");
    if builds.exists() {
        let inside: Vec<_> = std::fs::read_dir(&builds)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != ".lock")
            .collect();
        assert!(inside.is_empty(), "a failed build left {inside:?}");
    }
}

fn edit(root: &std::path::Path, rel: &str, text: &str) {
    std::fs::write(root.join(rel), text).unwrap();
}

#[test]
fn the_fixture_itself_builds() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(&tmp.path().join("content"));
    assert_ok(&cms(tmp.path(), &["build", "--quiet"]));
}

#[test]
fn malformed_toml() {
    fails_with(
        |c| {
            edit(
                c,
                "sites/mt/tin-tuc/ke-hoach.md",
                "+++\ntitle = \"A\"\ndate = 2022-11-25\ndescription = \"không đóng\n+++\n",
            )
        },
        "sites/mt/tin-tuc/ke-hoach.md:4:",
        "malformed TOML",
    );
}

#[test]
fn malformed_yaml() {
    fails_with(
        |c| {
            edit(
                c,
                "sites/drvn/tin-tuc/cao-toc.md",
                "---\ntitle: A\ntaxonomies: [a\n  b: c\n---\n",
            )
        },
        "sites/drvn/tin-tuc/cao-toc.md:",
        "malformed YAML",
    );
}

#[test]
fn malformed_site_toml() {
    fails_with(
        |c| {
            edit(
                c,
                "sites/drvn/site.toml",
                "name = \"X\ndomain = \"drvn.mt.gov.vn\"\n",
            )
        },
        "sites/drvn/site.toml:1:",
        "",
    );
}

#[test]
fn missing_required_field() {
    fails_with(
        |c| {
            edit(
                c,
                "sites/mt/tin-tuc/ke-hoach.md",
                "+++\ndate = 2022-11-25\n+++\n",
            )
        },
        "sites/mt/tin-tuc/ke-hoach.md:1:",
        "missing required field `title`",
    );
}

#[test]
fn missing_required_kind_field() {
    fails_with(
        |c| {
            let p = c.join("sites/mt/van-ban/qd-1552/index.md");
            let t = std::fs::read_to_string(&p)
                .unwrap()
                .replace("number = \"1552/QĐ-BGTVT\"\n", "");
            std::fs::write(p, t).unwrap();
        },
        "sites/mt/van-ban/qd-1552/index.md:5:",
        "missing required field `number` of kind `legal`",
    );
}

#[test]
fn wrong_type() {
    fails_with(
        |c| {
            let p = c.join("sites/mt/van-ban/qd-1552/index.md");
            let t = std::fs::read_to_string(&p)
                .unwrap()
                .replace("issued = 2022-11-25", "issued = \"hôm qua\"");
            std::fs::write(p, t).unwrap();
        },
        "sites/mt/van-ban/qd-1552/index.md:9:",
        "`hôm qua` is not a date",
    );
    fails_with(
        |c| {
            edit(
                c,
                "sites/mt/tin-tuc/ke-hoach.md",
                "+++\ntitle = \"A\"\ndraft = \"có\"\n+++\n",
            )
        },
        "sites/mt/tin-tuc/ke-hoach.md:3:",
        "must be true or false",
    );
    fails_with(
        |c| {
            let p = c.join("sites/mt/van-ban/qd-1552/index.md");
            let t = std::fs::read_to_string(&p)
                .unwrap()
                .replace("doc_type = \"Quyết định\"", "doc_type = \"Sắc lệnh\"");
            std::fs::write(p, t).unwrap();
        },
        "sites/mt/van-ban/qd-1552/index.md:6:",
        "not one of the allowed values",
    );
}

#[test]
fn unknown_kind() {
    fails_with(
        |c| {
            edit(
                c,
                "sites/mt/tin-tuc/ke-hoach.md",
                "+++\ntitle = \"A\"\nkind = \"bao-chi\"\n+++\n",
            )
        },
        "sites/mt/tin-tuc/ke-hoach.md:3:",
        "unknown kind `bao-chi`",
    );
}

#[test]
fn invalid_utf8() {
    fails_with(
        |c| {
            std::fs::write(
                c.join("sites/mt/tin-tuc/ke-hoach.md"),
                b"+++\ntitle = \"A\xff\"\n+++\n",
            )
            .unwrap()
        },
        "sites/mt/tin-tuc/ke-hoach.md:2:",
        "invalid UTF-8",
    );
}

#[test]
fn two_pages_with_the_same_output_path() {
    fails_with(
        |c| {
            edit(
                c,
                "sites/mt/tin-tuc/khac.md",
                "+++\ntitle = \"B\"\nslug = \"ke-hoach\"\n+++\n",
            )
        },
        "sites/mt/tin-tuc/",
        "output path /tin-tuc/ke-hoach/ is also written by",
    );
}

#[test]
fn broken_internal_link() {
    fails_with(
        |c| {
            edit(
                c,
                "sites/mt/tin-tuc/ke-hoach.md",
                "+++\ntitle = \"A\"\n+++\n\nĐoạn một.\n\nXem [đây](@/mt/khong-co.md).\n",
            )
        },
        "sites/mt/tin-tuc/ke-hoach.md:7:",
        "broken link `@/mt/khong-co.md`",
    );
}

#[test]
fn link_leaving_the_content_root() {
    fails_with(
        |c| {
            edit(
                c,
                "sites/mt/tin-tuc/ke-hoach.md",
                "+++\ntitle = \"A\"\n+++\n[x](@/../../etc/passwd)\n",
            )
        },
        "sites/mt/tin-tuc/ke-hoach.md:4:",
        "leaves the content root",
    );
    fails_with(
        |c| {
            edit(
                c,
                "sites/mt/tin-tuc/ke-hoach.md",
                "+++\ntitle = \"A\"\n+++\n[x](../../../etc/passwd)\n",
            )
        },
        "sites/mt/tin-tuc/ke-hoach.md:4:",
        "leaves the site",
    );
}

#[test]
fn file_field_leaving_the_bundle() {
    fails_with(
        |c| {
            let p = c.join("sites/mt/van-ban/qd-1552/index.md");
            let t = std::fs::read_to_string(&p)
                .unwrap()
                .replace("[\"qd-1552.pdf\"]", "[\"../../etc/passwd\"]");
            std::fs::write(p, t).unwrap();
        },
        "sites/mt/van-ban/qd-1552/index.md:11:",
        "`../../etc/passwd` leaves the page bundle",
    );
    fails_with(
        |c| {
            let p = c.join("sites/mt/van-ban/qd-1552/index.md");
            let t = std::fs::read_to_string(&p)
                .unwrap()
                .replace("[\"qd-1552.pdf\"]", "[\"khong-co.pdf\"]");
            std::fs::write(p, t).unwrap();
        },
        "sites/mt/van-ban/qd-1552/index.md:11:",
        "is not in the page bundle",
    );
}

#[test]
fn missing_template() {
    fails_with(
        |c| {
            edit(
                c,
                "sites/mt/tin-tuc/ke-hoach.md",
                "+++\ntitle = \"A\"\n\ntemplate = \"dac-biet.html\"\n+++\n",
            )
        },
        "sites/mt/tin-tuc/ke-hoach.md:4:",
        "template `dac-biet.html` not found",
    );
}

#[test]
fn broken_site_template() {
    fails_with(
        |c| {
            write_files(
                c,
                &[(
                    "sites/drvn/templates/page.html",
                    "{% extends \"base.html\" %}{% block content %}{{ page.title }{% endblock %}",
                )],
            )
        },
        "sites/drvn/templates",
        "template error",
    );
}

#[test]
fn site_without_domain() {
    fails_with(
        |c| {
            edit(
                c,
                "sites/drvn/site.toml",
                "name = \"Cục Đường bộ Việt Nam\"\n",
            )
        },
        "sites/drvn/site.toml:1:",
        "missing field `domain`",
    );
}

#[test]
fn two_sites_with_the_same_domain() {
    fails_with(
        |c| {
            write_files(c, &[("sites/drvn2/site.toml", "name = \"Bản sao\"\ndomain = \"x.mt.gov.vn\"\naliases = [\"drvn.gov.vn\"]\n"), ("sites/drvn2/_index.md", "+++\ntitle = \"X\"\n+++\n")]);
        },
        "sites/drvn2/site.toml:1:",
        "domain `drvn.gov.vn` is already used by",
    );
}

#[test]
fn unknown_front_matter_field_and_taxonomy() {
    fails_with(
        |c| {
            edit(
                c,
                "sites/mt/tin-tuc/ke-hoach.md",
                "+++\ntitle = \"A\"\ntitel = \"B\"\n\n[taxonomies]\ntags = [\"x\"]\n+++\n",
            )
        },
        "sites/mt/tin-tuc/ke-hoach.md:3:",
        "unknown field `titel`",
    );
}

#[test]
fn image_without_alt_text() {
    fails_with(
        |c| {
            edit(
                c,
                "sites/mt/tin-tuc/ke-hoach.md",
                "+++\ntitle = \"A\"\n+++\n![](anh.png)\n",
            )
        },
        "sites/mt/tin-tuc/ke-hoach.md:4:",
        "image without alternative text",
    );
}

#[test]
fn all_errors_are_reported_not_only_the_first() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("content");
    fixture(&c);
    edit(&c, "sites/mt/tin-tuc/ke-hoach.md", "+++\ntitle = 5\n+++\n");
    edit(
        &c,
        "sites/drvn/tin-tuc/cao-toc.md",
        "+++\ntitle = \"A\"\nkind = \"x\"\n+++\n",
    );
    let o = cms(tmp.path(), &["check"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("ke-hoach.md:2:") && err.contains("cao-toc.md:3:"),
        "{err}"
    );
}

#[test]
fn missing_content_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let o = cms(tmp.path(), &["build", "--content", "khong-co"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no such content folder"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_site_colour_that_is_not_a_colour() {
    // It would be written into the site's stylesheet: another rule could follow it.
    fails_with(
        |c| {
            edit(
                c,
                "sites/drvn/site.toml",
                "name = \"X\"\ndomain = \"drvn.mt.gov.vn\"\n\n[theme]\nprimary = \"red}body{display:none\"\n",
            )
        },
        "sites/drvn/site.toml:1:1",
        "theme.primary `red}body{display:none` is not a CSS colour",
    );
}
