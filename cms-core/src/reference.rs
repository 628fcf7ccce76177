//! References to other pages in typed fields (`type = "page"`, `type = "pages"`): values
//! written as internal links are, `@/<site>/<path>.md`, checked like the build checks links:
//! the page or section must exist in the network (published, inside its window), on any site.

use std::collections::HashSet;

use crate::markdown_file::{Meta, Parsed, Role};
use crate::model::Network;
use crate::text::safe_relative_path;

/// Every page and section of a network, by the name `@/` links use (`mt/van-ban/nd-42.md`).
#[derive(Debug, Clone)]
pub(crate) enum PageNames<'n> {
    /// The names, gathered during a load.
    Listed(HashSet<String>),
    /// A loaded network, looked up in place (a save checks one page: no set to build).
    Network(&'n Network),
}

impl PageNames<'_> {
    /// The files parsed by a load that will be pages or sections of the network: drafts and
    /// pages outside their publishing window at `now` left out, as the loader leaves them.
    pub(crate) fn of_parsed<'a>(
        sites: impl Iterator<Item = (&'a str, &'a [Parsed])>,
        now: chrono::NaiveDateTime,
    ) -> Self {
        let mut names = HashSet::new();
        for (id, parsed) in sites {
            for p in parsed {
                let listed = match (&p.role, &p.meta) {
                    (Role::Section { .. }, _) => true,
                    (Role::Page { .. }, Meta::Page(m)) => !m.draft && m.visible_at(now),
                    _ => false,
                };
                if listed {
                    names.insert(format!("{id}/{}", p.rel));
                }
            }
        }
        PageNames::Listed(names)
    }

    /// Whether `name` (`mt/van-ban/nd-42.md`) is a page or section of the network.
    pub(crate) fn contains(&self, name: &str) -> bool {
        match self {
            PageNames::Listed(set) => set.contains(name),
            PageNames::Network(n) => {
                let Some((id, rel)) = name.split_once('/') else {
                    return false;
                };
                let Some(site) = n.site(id) else {
                    return false;
                };
                let file = format!("sites/{id}/{rel}");
                site.pages.iter().any(|p| p.rel == rel)
                    || site.sections.iter().any(|s| s.file == file)
            }
        }
    }
}

/// A problem with a value: (message, hint), as the other field checks give them.
pub(crate) type RefProblem = (String, String);

/// The reference `value` cleaned (`@/mt/van-ban/nd-42.md`), or why it is malformed or names
/// no page. `names` is `None` when the network is not known (only the form is checked).
pub(crate) fn check_reference(
    value: &str,
    names: Option<&PageNames<'_>>,
) -> Result<String, RefProblem> {
    let malformed = || {
        (
            format!("`{value}` is not a reference to a page"),
            "write it as @/<site>/<path>.md, the path of the page's file under sites/ \
             (e.g. @/mt/van-ban/nd-42.md), as internal links are written"
                .to_string(),
        )
    };
    let rest = value.trim().strip_prefix("@/").ok_or_else(malformed)?;
    let clean = safe_relative_path(rest).ok_or_else(malformed)?;
    let well_formed =
        clean.ends_with(".md") && clean.split('/').count() >= 2 && !clean.contains(['#', '?', ' ']);
    if !well_formed {
        return Err(malformed());
    }
    if let Some(names) = names {
        if !names.contains(&clean) {
            return Err((
                format!("no page `@/{clean}` in the network"),
                "choose an existing page or section (a draft or a page not published yet \
                 cannot be referenced), or fix the path: @/<site>/<path>.md"
                    .into(),
            ));
        }
    }
    Ok(format!("@/{clean}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> PageNames<'static> {
        PageNames::Listed(
            ["mt/van-ban/nd-42.md", "drvn/_index.md"]
                .map(String::from)
                .into(),
        )
    }

    #[test]
    fn a_good_reference_is_kept_clean() {
        let n = names();
        assert_eq!(
            check_reference("@/mt/van-ban/nd-42.md", Some(&n)).unwrap(),
            "@/mt/van-ban/nd-42.md"
        );
        assert_eq!(
            check_reference(" @/mt/./van-ban//nd-42.md", Some(&n)).unwrap(),
            "@/mt/van-ban/nd-42.md"
        );
        assert!(check_reference("@/drvn/_index.md", Some(&n)).is_ok());
    }

    #[test]
    fn a_missing_page_is_named() {
        let (msg, hint) = check_reference("@/mt/van-ban/khong-co.md", Some(&names())).unwrap_err();
        assert_eq!(msg, "no page `@/mt/van-ban/khong-co.md` in the network");
        assert!(hint.contains("existing page"), "{hint}");
        // Without the network only the form is checked.
        assert!(check_reference("@/mt/van-ban/khong-co.md", None).is_ok());
    }

    #[test]
    fn malformed_references_are_refused() {
        for bad in [
            "mt/van-ban/nd-42.md",
            "https://mt.gov.vn/van-ban/nd-42/",
            "@/../etc/passwd.md",
            "@/mt/van-ban/nd-42",
            "@/nd-42.md",
            "@/mt/van-ban/nd-42.md#muc-1",
            "",
        ] {
            let (msg, hint) = check_reference(bad, Some(&names())).unwrap_err();
            assert!(msg.contains("is not a reference to a page"), "{bad}: {msg}");
            assert!(hint.contains("@/<site>/<path>.md"), "{hint}");
        }
    }
}
