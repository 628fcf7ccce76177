//! Helpers for the end-to-end tests: run the `cms` binary, write fixture networks, read trees.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `cms` with `args` in `cwd`.
pub fn cms(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cms"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run cms")
}

/// stderr of a run, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the run succeeded, showing its stderr otherwise.
pub fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "cms failed ({}):\n{}",
        o.status,
        stderr(o)
    );
}

/// Writes `files` (path → text) under `root`.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// A small valid network: a portal with news and a legal document bundle, and one agency.
pub fn fixture(root: &Path) {
    write_files(
        root,
        &[
            (
                "network.toml",
                "[network]\nname = \"Bộ Giao thông vận tải\"\nbase_domain = \"mt.gov.vn\"\nportal = \"mt\"\nlanguages = [\"vi\", \"en\"]\ntaxonomies = [\"topics\"]\n",
            ),
            ("sites/mt/site.toml", "id = \"mt\"\nname = \"Bộ Giao thông vận tải\"\ndomain = \"mt.gov.vn\"\n"),
            ("sites/mt/_index.md", "+++\ntitle = \"Bộ Giao thông vận tải\"\n+++\nXin chào.\n"),
            ("sites/mt/tin-tuc/_index.md", "+++\ntitle = \"Tin tức\"\nkind = \"news\"\npaginate_by = 10\n+++\n"),
            (
                "sites/mt/tin-tuc/ke-hoach.md",
                "+++\ntitle = \"Kế hoạch thực hiện Nghị định 42\"\ndate = 2022-11-25T15:45:00\ndescription = \"Bộ ban hành kế hoạch.\"\n\n[taxonomies]\ntopics = [\"chuyển đổi số\"]\n+++\n\nXem [quyết định](@/mt/van-ban/qd-1552/index.md) và [Cục Đường bộ](@/drvn/_index.md).\n",
            ),
            ("sites/mt/van-ban/_index.md", "+++\ntitle = \"Văn bản\"\nkind = \"legal\"\n+++\n"),
            (
                "sites/mt/van-ban/qd-1552/index.md",
                "+++\ntitle = \"Quyết định 1552/QĐ-BGTVT\"\ndate = 2022-11-25\n\n[legal]\ndoc_type = \"Quyết định\"\nnumber = \"1552/QĐ-BGTVT\"\nissuer = \"Bộ Giao thông vận tải\"\nissued = 2022-11-25\nsummary = \"Ban hành Kế hoạch thực hiện Nghị định 42/2022/NĐ-CP\"\nfiles = [\"qd-1552.pdf\"]\n+++\n\n| TT | Nhiệm vụ |\n|---|---|\n| 1 | Cung cấp thông tin |\n",
            ),
            ("sites/mt/van-ban/qd-1552/qd-1552.pdf", "%PDF-1.4 demo"),
            ("sites/drvn/site.toml", "name = \"Cục Đường bộ Việt Nam\"\ndomain = \"drvn.mt.gov.vn\"\naliases = [\"drvn.gov.vn\"]\n"),
            ("sites/drvn/_index.md", "+++\ntitle = \"Cục Đường bộ Việt Nam\"\n+++\n"),
            ("sites/drvn/tin-tuc/_index.md", "+++\ntitle = \"Tin tức\"\nkind = \"news\"\n+++\n"),
            (
                "sites/drvn/tin-tuc/cao-toc.md",
                "---\ntitle: Thông xe cao tốc\ndate: 2023-04-29\ntaxonomies:\n  topics: [cao tốc]\n---\nNội dung.\n",
            ),
        ],
    );
}

/// Every file under `root`: relative path → bytes; but the search index's segment files, whose
/// names are random (the index is compared by its answers, in tests/search.rs), and the build's
/// bookkeeping in `.cms/` (its cache and the fingerprint of its inputs).
pub fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(root).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if !rel.starts_with("search/index/") && !rel.starts_with(".cms/") {
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

/// Reads a file of the output as text.
pub fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Whether `html` has the attribute `name` with `value`, quoted or not (minifiers drop quotes).
pub fn has_attr(html: &str, name: &str, value: &str) -> bool {
    html.contains(&format!("{name}={value}")) || html.contains(&format!("{name}=\"{value}\""))
}

/// Copies the tree `from` into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}
