//! Checks what names a page, a bundle file or a branch: every one becomes a path in a git tree
//! and part of a ref name, so it must stay inside its site's folder and be a name git accepts.

use super::{PageRef, StoreError};

/// The longest site id accepted (a DNS label's limit: site ids become host names).
const MAX_SITE_LEN: usize = 63;

impl PageRef {
    /// Checks `site` and `path`: lower-case ASCII site id; a relative path of safe segments
    /// (no `..`, `.`, empty, hidden or control-character segments, no `\`), ending in `.md`;
    /// valid in a git ref name. [`StoreError::InvalidPath`] says what is wrong.
    pub fn new(site: &str, path: &str) -> Result<PageRef, StoreError> {
        check_site(site)?;
        let path = crate::text::nfc(path);
        let bad = |reason: String| StoreError::InvalidPath {
            what: "path",
            value: path.clone(),
            reason,
        };
        if path.is_empty() {
            return Err(bad(
                "empty: give the page's file, such as `tin-tuc/bai.md`".into()
            ));
        }
        if path.starts_with('/') {
            return Err(bad(
                "absolute: give the file relative to the site's folder, such as `tin-tuc/bai.md`"
                    .into(),
            ));
        }
        let segments: Vec<&str> = path.split('/').collect();
        let last = segments.len() - 1;
        for (i, seg) in segments.iter().enumerate() {
            check_segment(seg).map_err(&bad)?;
            // A folder named `x.md` would make the branch `cms/s/x.md` clash with the branches
            // of the pages inside it (`cms/s/x.md/y.md`): git cannot hold both refs.
            if i < last && is_markdown(seg) {
                return Err(bad(format!(
                    "the folder `{seg}` ends in `.md`: only the page's file may"
                )));
            }
        }
        if !segments[last].ends_with(".md") || segments[last].len() == ".md".len() {
            return Err(bad(
                "not a Markdown page: the file name must end in `.md` (lower case)".into(),
            ));
        }
        let page = PageRef {
            site: site.to_string(),
            path: path.clone(),
        };
        // The rules above are git's; this guards against any they missed.
        if !git2::Reference::is_valid_name(&page.review_ref()) {
            return Err(bad("git refuses it in a branch name".into()));
        }
        Ok(page)
    }

    /// Its path in the content repository: `sites/<site>/<path>`.
    pub fn content_path(&self) -> String {
        format!("sites/{}/{}", self.site, self.path)
    }

    /// Its draft branch: `cms/<site>/<path>` (under `refs/heads/`).
    pub fn branch(&self) -> String {
        format!("cms/{}/{}", self.site, self.path)
    }

    /// The full name of its draft branch: `refs/heads/cms/<site>/<path>`.
    pub fn branch_ref(&self) -> String {
        format!("refs/heads/{}", self.branch())
    }

    /// Its review ref: `refs/cms-review/<site>/<path>`, at the submitted commit.
    pub fn review_ref(&self) -> String {
        format!("refs/cms-review/{}/{}", self.site, self.path)
    }

    /// The folder of its bundle (`tin-tuc/cao-toc/` for `tin-tuc/cao-toc/index.md`), where
    /// uploaded files go; `None` for a single-file page, which has no bundle.
    pub fn bundle_dir(&self) -> Option<String> {
        self.path
            .strip_suffix("index.md")
            .filter(|d| d.is_empty() || d.ends_with('/'))
            .map(str::to_string)
    }
}

/// Checks a site id: lower-case ASCII letters, digits and `-`, starting with a letter or digit.
pub(super) fn check_site(site: &str) -> Result<(), StoreError> {
    let bad = |reason: &str| StoreError::InvalidPath {
        what: "site",
        value: site.to_string(),
        reason: reason.to_string(),
    };
    if site.is_empty() {
        return Err(bad("empty: give the site's id, such as `drvn`"));
    }
    if site.len() > MAX_SITE_LEN {
        return Err(bad("longer than 63 characters"));
    }
    if !site
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(bad(
            "a site id has only lower-case ASCII letters, digits and `-` (the folder name under `sites/`)",
        ));
    }
    if site.starts_with('-') || site.ends_with('-') {
        return Err(bad("a site id neither starts nor ends with `-`"));
    }
    Ok(())
}

/// Checks a name for a file of a page's bundle: one plain file name (no folder), not Markdown
/// (a bundle's Markdown files are pages: save them), NFC. Returns it normalized.
pub fn check_file_name(name: &str) -> Result<String, StoreError> {
    let name = crate::text::nfc(name);
    let bad = |reason: String| StoreError::InvalidPath {
        what: "file name",
        value: name.clone(),
        reason,
    };
    if name.contains('/') {
        return Err(bad("a plain file name, without a folder (`/`)".into()));
    }
    check_segment(&name).map_err(&bad)?;
    if is_markdown(&name) {
        return Err(bad(
            "a Markdown file is a page: save it as a page instead of uploading it".into(),
        ));
    }
    Ok(name)
}

/// Checks a bundle file's name relative to the bundle folder, for reading: safe segments.
pub(super) fn check_bundle_path(name: &str) -> Result<String, StoreError> {
    let name = crate::text::nfc(name);
    if name.is_empty() || name.starts_with('/') {
        return Err(StoreError::InvalidPath {
            what: "file name",
            value: name.clone(),
            reason: "give a file name relative to the page's folder".into(),
        });
    }
    for seg in name.split('/') {
        check_segment(seg).map_err(|reason| StoreError::InvalidPath {
            what: "file name",
            value: name.clone(),
            reason,
        })?;
    }
    Ok(name)
}

/// Whether a file name is Markdown (a page), whatever its case.
pub(super) fn is_markdown(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// Checks one path segment; the reason says what is wrong with it.
fn check_segment(seg: &str) -> Result<(), String> {
    match seg {
        "" => return Err("an empty folder name (`//` or a trailing `/`)".into()),
        "." | ".." => {
            return Err(format!(
                "`{seg}` is not allowed: the path must stay inside the site's folder"
            ))
        }
        _ => {}
    }
    if seg.starts_with('.') {
        return Err(format!(
            "`{seg}` is hidden (starts with `.`): hidden files are not content"
        ));
    }
    if let Some(c) = seg.chars().find(|c| c.is_control()) {
        return Err(format!("a control character (U+{:04X})", c as u32));
    }
    if seg.chars().any(char::is_whitespace) {
        return Err(format!(
            "`{seg}` has a space: use `-` between words (`cao-toc.md`)"
        ));
    }
    // Characters git refuses in ref names, and `\`, which is a folder separator on Windows.
    if let Some(c) = seg
        .chars()
        .find(|c| matches!(c, '\\' | '~' | '^' | ':' | '?' | '*' | '[' | '\u{7f}'))
    {
        return Err(format!(
            "`{c}` is not allowed in a name (git refuses it in branch names; `\\` is a folder separator)"
        ));
    }
    if seg.contains("@{") {
        return Err("`@{` is not allowed in a name (git refuses it in branch names)".into());
    }
    if seg.contains("..") {
        return Err("`..` is not allowed in a name (git refuses it in branch names)".into());
    }
    if seg.ends_with(".lock") {
        return Err(format!(
            "`{seg}` ends in `.lock`, which git keeps for its lock files"
        ));
    }
    if seg.ends_with('.') {
        return Err(format!(
            "`{seg}` ends in `.`, which git refuses in branch names"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(site: &str, path: &str) -> String {
        match PageRef::new(site, path) {
            Err(StoreError::InvalidPath { reason, .. }) => reason,
            other => panic!("{site}/{path}: expected InvalidPath, got {other:?}"),
        }
    }

    #[test]
    fn good_paths_pass_normalized() {
        let p = PageRef::new("drvn", "tin-tuc/cao-toc.md").unwrap();
        assert_eq!(p.content_path(), "sites/drvn/tin-tuc/cao-toc.md");
        assert_eq!(p.branch_ref(), "refs/heads/cms/drvn/tin-tuc/cao-toc.md");
        assert_eq!(p.review_ref(), "refs/cms-review/drvn/tin-tuc/cao-toc.md");
        assert!(PageRef::new("mt", "_index.md").is_ok());
        assert!(PageRef::new("mt-2", "a/b/index.en.md").is_ok());
        // NFD in, NFC stored.
        let p = PageRef::new("drvn", "tin-tuc/vie\u{0323}\u{0302}t.md").unwrap();
        assert_eq!(p.path, "tin-tuc/việt.md");
    }

    #[test]
    fn every_bad_path_class_is_refused_with_a_reason() {
        let cases = [
            ("", "empty"),
            ("../x.md", "stay inside"),
            ("a/../x.md", "stay inside"),
            ("./x.md", "stay inside"),
            ("/etc/x.md", "absolute"),
            ("a\\b.md", "`\\`"),
            ("a//b.md", "empty folder"),
            ("a/", "empty folder"),
            (".git/x.md", "hidden"),
            ("a/.x.md", "hidden"),
            ("a\u{1}b.md", "control"),
            ("a\nb.md", "control"),
            ("a b.md", "space"),
            ("a\u{a0}b.md", "space"),
            ("x.txt", "Markdown"),
            ("x.MD", "Markdown"),
            (".md", "hidden"),
            ("a.lock/x.md", ".lock"),
            ("a@{1}.md", "@{"),
            ("a~1.md", "`~`"),
            ("a^.md", "`^`"),
            ("a:b.md", "`:`"),
            ("a?.md", "`?`"),
            ("a*.md", "`*`"),
            ("a[1].md", "`[`"),
            ("a..b.md", "`..`"),
            ("a./x.md", "ends in `.`"),
            ("x.md/y.md", "ends in `.md`"),
        ];
        for (path, want) in cases {
            let r = reason("drvn", path);
            assert!(r.contains(want), "{path:?}: {r}");
        }
    }

    #[test]
    fn bad_site_ids_are_refused() {
        for (site, want) in [
            ("", "empty"),
            ("DRVN", "lower-case"),
            ("dr vn", "lower-case"),
            ("d/x", "lower-case"),
            ("..", "lower-case"),
            ("-x", "starts"),
            ("đ", "lower-case"),
        ] {
            let r = reason(site, "a.md");
            assert!(r.contains(want), "{site:?}: {r}");
        }
        assert!(reason(&"a".repeat(64), "a.md").contains("63"));
    }

    #[test]
    fn file_names_are_plain_and_not_markdown() {
        assert_eq!(check_file_name("ảnh.jpg").unwrap(), "ảnh.jpg");
        for (name, want) in [
            ("a/b.jpg", "plain"),
            ("../b.jpg", "plain"),
            ("..", "stay inside"),
            ("", "empty"),
            (".htaccess", "hidden"),
            ("b.md", "Markdown"),
            ("b.MARKDOWN", "Markdown"),
            ("a b.jpg", "space"),
            ("a\\b.jpg", "`\\`"),
            ("x.lock", ".lock"),
        ] {
            match check_file_name(name) {
                Err(StoreError::InvalidPath { reason, .. }) => {
                    assert!(reason.contains(want), "{name:?}: {reason}")
                }
                other => panic!("{name:?}: {other:?}"),
            }
        }
        assert!(check_bundle_path("img/a.jpg").is_ok());
        assert!(check_bundle_path("../a.jpg").is_err());
        assert!(check_bundle_path("/a.jpg").is_err());
    }

    #[test]
    fn bundles_have_a_folder() {
        let b = |p| PageRef::new("s", p).unwrap().bundle_dir();
        assert_eq!(b("a/index.md").as_deref(), Some("a/"));
        assert_eq!(b("index.md").as_deref(), Some(""));
        assert_eq!(b("a/_index.md"), None);
        assert_eq!(b("a/b.md"), None);
    }
}
