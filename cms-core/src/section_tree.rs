//! A site's sections linked into a tree: parents, subsections, and the kind a folder's
//! pages inherit.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::markdown_file::parent_dir;
use crate::model::Section;
use crate::schema::Schemas;

/// A site's sections, sorted (the default language first) and linked to their parents and
/// subsections, with an index by language and folder.
pub(crate) struct SectionTree<'a> {
    pub(crate) sections: Vec<Section>,
    index: HashMap<(String, String), usize>,
    default: &'a str,
}

impl<'a> SectionTree<'a> {
    pub(crate) fn new(mut sections: Vec<Section>, default: &'a str) -> Self {
        sections.sort_by(|a, b| {
            ((a.lang != default), &a.lang, &a.dir).cmp(&((b.lang != default), &b.lang, &b.dir))
        });
        let index = sections
            .iter()
            .enumerate()
            .map(|(i, s)| ((s.lang.clone(), s.dir.clone()), i))
            .collect();
        let mut tree = SectionTree {
            sections,
            index,
            default,
        };
        for i in 0..tree.sections.len() {
            if tree.sections[i].dir.is_empty() {
                continue;
            }
            let s = &tree.sections[i];
            let parent = tree.find(&s.lang, parent_dir(&s.dir).0);
            tree.sections[i].parent = parent;
            if let Some(p) = parent {
                tree.sections[p].subsections.push(i);
            }
        }
        tree
    }

    fn get(&self, lang: &str, dir: &str) -> Option<usize> {
        self.index
            .get(&(lang.to_string(), dir.to_string()))
            .copied()
    }

    /// The section of folder `dir` in `lang`, or of its nearest ancestor that has one.
    pub(crate) fn find(&self, lang: &str, dir: &str) -> Option<usize> {
        let mut d = dir;
        loop {
            if let Some(i) = self.get(lang, d) {
                return Some(i);
            }
            if d.is_empty() {
                return None;
            }
            d = parent_dir(d).0;
        }
    }

    /// The kind of the nearest section of `dir` that sets one: its language first, then
    /// the default.
    pub(crate) fn kind(&self, lang: &str, dir: &str) -> Option<String> {
        let mut d = dir;
        loop {
            for l in [lang, self.default] {
                if let Some(i) = self.get(l, d) {
                    if let Some(k) = &self.sections[i].meta.kind {
                        return Some(k.clone());
                    }
                }
            }
            if d.is_empty() {
                return None;
            }
            d = parent_dir(d).0;
        }
    }
}

/// Reports a section whose kind has no schema.
pub(crate) fn check_section_kinds(
    sections: &[Section],
    schemas: &Schemas,
    diags: &mut Diagnostics,
) {
    for s in sections {
        if let Some(k) = &s.meta.kind {
            if schemas.get(k).is_none() {
                let fm_line = 2;
                diags.push(
                    Diagnostic::error(&s.file, fm_line, 1, format!("unknown kind `{k}`"))
                        .with_hint(format!(
                            "use one of: {}; or add schema/{k}.toml",
                            schemas.names()
                        )),
                );
            }
        }
    }
}
