//! Builds over a previous output must equal clean builds, byte for byte, after any edit: a
//! seeded random sequence of edits to a copy of the demo network (add, change, rename and
//! delete pages; change a template; change a site's settings; add and remove a static file),
//! each followed by an incremental build and a clean build that are compared file by file.
//! `INCREMENTAL_SEED` and `INCREMENTAL_STEPS` change the sequence.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A small deterministic generator (no dependency needed for a test's dice).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Markdown pages (not section indexes), in a stable order.
fn pages(content: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(content.join("sites"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "md")
                && !p
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("_index")
                && p.file_name().unwrap() != "index.md"
                && !p.to_string_lossy().ends_with(".en.md")
        })
        .collect();
    v.sort();
    v
}

fn build(root: &Path, content: &Path, out: &Path) -> String {
    let o = cms(
        root,
        &[
            "build",
            "--content",
            content.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_ok(&o);
    stderr(&o)
}

/// The output without what legitimately differs: the cache, and the index's segment files
/// (random names; `read_tree` leaves those out).
fn tree(out: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut t = read_tree(out);
    t.retain(|k, _| !k.starts_with(".cms/"));
    t
}

/// Pages no `@/` link names and with no translation: safe to rename or delete.
fn loose_pages(content: &Path) -> Vec<PathBuf> {
    let sites = content.join("sites");
    let mut text = String::new();
    for e in walkdir::WalkDir::new(&sites)
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.path()
            .extension()
            .is_some_and(|x| x == "md" || x == "toml")
        {
            text.push_str(&std::fs::read_to_string(e.path()).unwrap());
        }
    }
    pages(content)
        .into_iter()
        .filter(|p| {
            let rel = p
                .strip_prefix(&sites)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            !text.contains(&format!("@/{rel}")) && !p.with_extension("en.md").exists()
        })
        .collect()
}

fn edit(step: usize, dice: &mut Dice, content: &Path, theme: &Path) -> String {
    let ps = pages(content);
    let pick = |dice: &mut Dice| ps[dice.below(ps.len())].clone();
    let loose = loose_pages(content);
    let pick_loose = |dice: &mut Dice| loose[dice.below(loose.len())].clone();
    match dice.below(9) {
        0 => {
            let p = pick(dice);
            let t = std::fs::read_to_string(&p).unwrap();
            std::fs::write(
                &p,
                format!("{t}\nĐoạn thêm ở bước {step}: đường sắt tốc độ cao.\n"),
            )
            .unwrap();
            format!("change the body of {}", p.display())
        }
        1 => {
            let p = pick(dice);
            let t = std::fs::read_to_string(&p).unwrap();
            let t = t.replacen("title = \"", &format!("title = \"Bước {step}: "), 1);
            let t = t.replacen("title: ", &format!("title: Bước {step} "), 1);
            std::fs::write(&p, t).unwrap();
            format!("change the title of {}", p.display())
        }
        2 => {
            // A new page beside an existing one, of the same kind: a copy with its own title.
            let p = pick(dice);
            let new = p.with_file_name(format!("bai-moi-{step}.md"));
            let t = std::fs::read_to_string(&p).unwrap();
            let t: String = t
                .lines()
                .filter(|l| !l.starts_with("aliases"))
                .map(|l| {
                    if l.starts_with("title = \"") {
                        format!("title = \"Bài mới số {step}\"")
                    } else {
                        l.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            std::fs::write(&new, format!("{t}\nNội dung bài mới {step}.\n")).unwrap();
            format!("add {}", new.display())
        }
        3 => {
            let p = pick_loose(dice);
            let to = p.with_file_name(format!("doi-ten-{step}.md"));
            std::fs::rename(&p, &to).unwrap();
            format!("rename {} to {}", p.display(), to.display())
        }
        4 => {
            let p = pick_loose(dice);
            std::fs::remove_file(&p).unwrap();
            format!("delete {}", p.display())
        }
        5 => {
            let tpl = [
                "templates/parts/item.html",
                "templates/page.html",
                "templates/site/footer.html",
                "templates/rss.xml",
            ][dice.below(4)];
            let p = theme.join(tpl);
            let t = std::fs::read_to_string(&p).unwrap();
            let t = if tpl.ends_with(".xml") {
                t.replacen("<channel>", &format!("<channel><!-- {step} -->"), 1)
            } else {
                format!("{t}<!-- bước {step} -->\n")
            };
            std::fs::write(&p, t).unwrap();
            format!("change the template {tpl}")
        }
        6 => {
            let sites = ["drvn", "vr", "mt", "vec"];
            let s = sites[dice.below(sites.len())];
            let p = content.join(format!("sites/{s}/site.toml"));
            let t = std::fs::read_to_string(&p).unwrap();
            let t = t.replacen("name = \"", &format!("name = \"({step}) "), 1);
            std::fs::write(&p, t).unwrap();
            format!("change the name of site {s}")
        }
        7 => {
            let p = content.join(format!("sites/drvn/static/tep-{step}.txt"));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, format!("tệp {step}\n")).unwrap();
            format!("add {}", p.display())
        }
        _ => {
            let dir = content.join("sites/drvn/static");
            let first = std::fs::read_dir(&dir)
                .ok()
                .and_then(|mut d| d.next())
                .and_then(Result::ok)
                .map(|e| e.path());
            match first {
                Some(p) => {
                    std::fs::remove_file(&p).unwrap();
                    format!("delete {}", p.display())
                }
                None => "nothing".into(),
            }
        }
    }
}

#[test]
fn incremental_builds_equal_clean_builds_after_random_edits() {
    let seed: u64 = std::env::var("INCREMENTAL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1552);
    let steps: usize = std::env::var("INCREMENTAL_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    let theme = tmp.path().join("themes/default");
    copy_dir(&repo_root().join("content"), &content);
    copy_dir(&repo_root().join("themes/default"), &theme);
    let inc = tmp.path().join("inc");
    let first = build(tmp.path(), &content, &inc);
    assert!(!first.contains("Over the previous build"), "{first}");
    // The static read API is compared with the rest.
    let api = tree(&inc);
    for f in [
        "sites.json",
        "site.json",
        "content.json",
        "content/_index.json",
    ] {
        assert!(
            api.contains_key(&format!("sites/mt.gov.vn/api/v1/{f}")),
            "{f}"
        );
    }
    let again = build(tmp.path(), &content, &inc);
    assert!(
        again.contains("Nothing changed since the last build"),
        "no change, no work: {again}"
    );
    let mut dice = Dice(seed);
    let mut log = Vec::new();
    for step in 0..steps {
        log.push(edit(step, &mut dice, &content, &theme));
        let said = build(tmp.path(), &content, &inc);
        assert!(
            said.contains("Over the previous build") || said.contains("Nothing changed"),
            "{said}"
        );
        let clean = tmp.path().join(format!("clean-{step}"));
        build(tmp.path(), &content, &clean);
        let (a, b) = (tree(&inc), tree(&clean));
        let only_a: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
        let only_b: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
        assert!(
            only_a.is_empty() && only_b.is_empty(),
            "after {log:#?}\nonly in the incremental output: {only_a:?}\nonly in the clean one: {only_b:?}"
        );
        for (k, v) in &a {
            assert!(v == &b[k], "after {log:#?}\n{k} differs from a clean build");
        }
        std::fs::remove_dir_all(&clean).unwrap();
    }
}

#[test]
fn unchanged_files_are_not_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    fixture(&content);
    let out = tmp.path().join("public");
    build(tmp.path(), &content, &out);
    let page = out.join("sites/drvn.mt.gov.vn/tin-tuc/cao-toc/index.html");
    let other = out.join("sites/mt.gov.vn/van-ban/qd-1552/index.html");
    let inode = |p: &Path| {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(p).unwrap();
        (m.ino(), m.mtime_nsec(), m.mtime())
    };
    let api = out.join("sites/drvn.mt.gov.vn/api/v1/content/tin-tuc/cao-toc.json");
    let other_api = out.join("sites/mt.gov.vn/api/v1/content/van-ban/qd-1552/index.json");
    let other_list = out.join("sites/mt.gov.vn/api/v1/content.json");
    let before = (inode(&page), inode(&other));
    let api_before = (inode(&api), inode(&other_api), inode(&other_list));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let src = content.join("sites/drvn/tin-tuc/cao-toc.md");
    let t = std::fs::read_to_string(&src).unwrap();
    std::fs::write(&src, t.replace("Nội dung.", "Nội dung đã sửa.")).unwrap();
    let said = build(tmp.path(), &content, &out);
    assert!(said.contains("Over the previous build"), "{said}");
    assert_ne!(inode(&page), before.0, "the edited page is rewritten");
    assert_eq!(inode(&other), before.1, "another page is left as it was");
    assert_ne!(
        inode(&api),
        api_before.0,
        "the edited page's API item is rewritten"
    );
    assert!(std::fs::read_to_string(&api)
        .unwrap()
        .contains("Nội dung đã sửa."));
    assert_eq!(
        inode(&other_api),
        api_before.1,
        "another item is left as it was"
    );
    assert_eq!(
        inode(&other_list),
        api_before.2,
        "another site's listing too"
    );
    assert!(std::fs::read_to_string(&page)
        .unwrap()
        .contains("Nội dung đã sửa."));
    // A failed build over it changes nothing.
    std::fs::write(&src, "+++\ntitle = \n+++\n").unwrap();
    let o = cms(
        tmp.path(),
        &[
            "build",
            "--content",
            content.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(std::fs::read_to_string(&page)
        .unwrap()
        .contains("Nội dung đã sửa."));
    assert!(out.join("manifest.json").is_file());
}
