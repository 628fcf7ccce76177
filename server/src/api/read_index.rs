//! What the read API answers from: each site's static JSON (`<site>/api/v1/{sites,site,
//! content}.json`, written by the build), parsed once per build and kept with the lookups a
//! listing needs, and the filters of `GET /sites/{site}/content`.
//!
//! A site's files are parsed again when one of them changed (its modification time or size):
//! a request costs a few `stat`s, and a rebuild is seen by the next request.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use chrono::{NaiveDate, NaiveDateTime};
use serde::de::DeserializeOwned;
use ssg::api::{ContentList, ContentPage, ContentSummary, SiteDoc, SitesDoc, API_DIR};

/// What identifies one build of a file: its modification time and size.
type Stamp = Option<(SystemTime, u64)>;

/// The files of a site's API that a listing reads.
const FILES: [&str; 3] = ["sites.json", "site.json", "content.json"];

/// Items per page of a listing, unless `per_page` says otherwise.
pub const PER_PAGE: usize = 20;
/// The most items a page of a listing may have.
pub const MAX_PER_PAGE: usize = 100;

/// A site's API, parsed.
#[derive(Debug)]
pub struct SiteIndex {
    stamps: [Stamp; 3],
    /// The site's API folder (`<out>/sites/<domain>/api/v1`).
    pub dir: PathBuf,
    /// `sites.json`.
    pub sites: SitesDoc,
    /// `site.json`.
    pub site: SiteDoc,
    /// `content.json`.
    pub list: ContentList,
    /// Each item's index in `list`, by its path (`tin-tuc/a.md`).
    by_path: HashMap<String, usize>,
    /// Each item's index in `list`, by its URL (how the search index names a page).
    by_url: HashMap<String, usize>,
    /// Each item's rank by title (folded, then as written): `sort=title` orders by it.
    title_rank: Vec<u32>,
    /// Per taxonomy, each term's slug by the name editors wrote.
    slugs: HashMap<String, HashMap<String, String>>,
    /// Each item's date, parsed once (the `from`/`to` filters compare them).
    dates: Vec<Option<NaiveDateTime>>,
    /// The items (indexes in `list`, in its order) of each section folder, its subsections'
    /// included, of each language and of each kind: a filter scans only its candidates.
    by_section: HashMap<String, Vec<usize>>,
    by_lang: HashMap<String, Vec<usize>>,
    by_kind: HashMap<String, Vec<usize>>,
    /// Of each taxonomy (`topics`), and of each of its terms by slug and by name
    /// ([`term_key`]).
    by_term: HashMap<String, Vec<usize>>,
}

/// The key of `by_term` for a taxonomy and, if given, one of its terms.
fn term_key(taxonomy: &str, term: Option<&str>) -> String {
    match term {
        Some(t) => format!("{taxonomy}\u{0}{t}"),
        None => taxonomy.to_string(),
    }
}

/// Why a site's API could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file is missing or unreadable (an output built before the API, or mid-swap).
    #[error("reading {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not what the build writes.
    #[error("{path} is not the read API's JSON")]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
}

fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

fn read<T: DeserializeOwned>(path: PathBuf) -> Result<T, LoadError> {
    let bytes = std::fs::read(&path).map_err(|source| LoadError::Io {
        path: path.clone(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| LoadError::Json { path, source })
}

impl SiteIndex {
    fn stamps(dir: &Path) -> [Stamp; 3] {
        FILES.map(|f| stamp(&dir.join(f)))
    }

    /// Parses the API of the site whose output folder is `root`.
    pub fn load(root: &Path) -> Result<SiteIndex, LoadError> {
        let dir = root.join(API_DIR);
        let stamps = SiteIndex::stamps(&dir);
        let sites: SitesDoc = read(dir.join(FILES[0]))?;
        let site: SiteDoc = read(dir.join(FILES[1]))?;
        let list: ContentList = read(dir.join(FILES[2]))?;
        let by_path = list
            .items
            .iter()
            .enumerate()
            .map(|(i, s)| (s.path.clone(), i))
            .collect();
        let mut slugs: HashMap<String, HashMap<String, String>> = HashMap::new();
        for t in &site.taxonomies {
            let names = slugs.entry(t.name.clone()).or_default();
            for term in &t.terms {
                names.insert(term.name.clone(), term.slug.clone());
            }
        }
        // Terms site.json does not list (none, in a build's output) get the build's slug.
        for s in &list.items {
            for (tax, terms) in &s.taxonomies {
                let names = slugs.entry(tax.clone()).or_default();
                for t in terms {
                    if !names.contains_key(t) {
                        names.insert(t.clone(), cms_core::slugify(t));
                    }
                }
            }
        }
        let dates = list
            .items
            .iter()
            .map(|s| s.date.as_deref().and_then(parse_time))
            .collect();
        let by_url = list
            .items
            .iter()
            .enumerate()
            .map(|(i, s)| (s.url.clone(), i))
            .collect();
        let title_rank = title_ranks(&list.items);
        let mut by_section: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_lang: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_kind: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, s) in list.items.iter().enumerate() {
            by_lang.entry(s.lang.clone()).or_default().push(i);
            by_kind.entry(s.kind.clone()).or_default().push(i);
            let Some(section) = &s.section else { continue };
            // `a/b/c` is in `a/b/c`, `a/b` and `a`.
            let mut at = section.as_str();
            loop {
                by_section.entry(at.to_string()).or_default().push(i);
                match at.rsplit_once('/') {
                    Some((up, _)) => at = up,
                    None => break,
                }
            }
        }
        let mut by_term: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, s) in list.items.iter().enumerate() {
            for (tax, terms) in s.taxonomies.iter().filter(|(_, t)| !t.is_empty()) {
                let mut keys = vec![term_key(tax, None)];
                for t in terms {
                    keys.push(term_key(tax, Some(t)));
                    if let Some(slug) = slugs.get(tax).and_then(|m| m.get(t)) {
                        keys.push(term_key(tax, Some(slug)));
                    }
                }
                for k in keys {
                    let v = by_term.entry(k).or_default();
                    // Two names of one slug: the item once.
                    if v.last() != Some(&i) {
                        v.push(i);
                    }
                }
            }
        }
        Ok(SiteIndex {
            by_term,
            by_section,
            by_lang,
            by_kind,
            dates,
            stamps,
            dir,
            sites,
            site,
            list,
            by_path,
            by_url,
            title_rank,
            slugs,
        })
    }

    /// The indexes in `list` of the items at these URLs (search hits), in the listing's
    /// order; URLs the listing does not have are left out.
    pub fn indexes_of_urls<'u>(&self, urls: impl IntoIterator<Item = &'u str>) -> Vec<usize> {
        let mut v: Vec<usize> = urls
            .into_iter()
            .filter_map(|u| self.by_url.get(u).copied())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The summary of the item at `path` (`tin-tuc/a.md`; `tin-tuc/a` is taken as `.md`).
    pub fn item(&self, path: &str) -> Option<&ContentSummary> {
        let i = match self.by_path.get(path) {
            Some(i) => *i,
            None => *self.by_path.get(&format!("{path}.md"))?,
        };
        self.list.items.get(i)
    }

    /// The page of the items that pass `f`.
    pub fn page(&self, f: &Filter) -> ContentPage {
        let mut total = 0;
        let skip = (f.page - 1).saturating_mul(f.per_page);
        let mut items = Vec::new();
        let passing = self
            .candidates(f)
            .filter(|&i| f.only.as_ref().is_none_or(|o| o.binary_search(&i).is_ok()))
            .filter(|&i| self.passes(&self.list.items[i], self.dates[i], f));
        // The listing's own order streams; another order needs every passing item first.
        let ordered: Box<dyn Iterator<Item = usize>> = match f.sort {
            Order::Newest => Box::new(passing),
            order => {
                let mut all: Vec<usize> = passing.collect();
                match order {
                    // Oldest first; undated ones stay last, by path.
                    Order::Oldest => all.sort_by_key(|&i| {
                        let undated = self.dates[i].is_none();
                        (undated, if undated { i } else { usize::MAX - i })
                    }),
                    Order::TitleAz => all.sort_by_key(|&i| self.title_rank[i]),
                    Order::TitleZa => all.sort_by_key(|&i| std::cmp::Reverse(self.title_rank[i])),
                    Order::Newest => {}
                }
                Box::new(all.into_iter())
            }
        };
        for s in ordered.map(|i| &self.list.items[i]) {
            if total >= skip && items.len() < f.per_page {
                items.push(s.clone());
            }
            total += 1;
        }
        ContentPage {
            site: self.list.site.clone(),
            total,
            page: f.page,
            per_page: f.per_page,
            pages: total.div_ceil(f.per_page),
            items,
        }
    }

    /// The items a filter may keep, in the listing's order: those of the shortest list among
    /// the section's, the language's, the kind's and the taxonomy term's it names, else all.
    fn candidates<'s>(&'s self, f: &'s Filter) -> Box<dyn Iterator<Item = usize> + 's> {
        const NONE: &[usize] = &[];
        let term = f.taxonomy.as_ref().map(|t| term_key(t, f.term.as_deref()));
        let lists = [
            term.as_ref().map(|x| (&self.by_term, x)),
            f.section.as_ref().map(|x| (&self.by_section, x)),
            f.lang.as_ref().map(|x| (&self.by_lang, x)),
            f.kind.as_ref().map(|x| (&self.by_kind, x)),
        ];
        let shortest = lists
            .into_iter()
            .flatten()
            .map(|(map, key)| map.get(key).map_or(NONE, Vec::as_slice))
            .chain(f.only.as_deref())
            .min_by_key(|l| l.len());
        match shortest {
            Some(l) => Box::new(l.iter().copied()),
            None => Box::new(0..self.list.items.len()),
        }
    }

    fn passes(&self, s: &ContentSummary, date: Option<NaiveDateTime>, f: &Filter) -> bool {
        if f.kind.as_ref().is_some_and(|k| &s.kind != k)
            || f.lang.as_ref().is_some_and(|l| &s.lang != l)
        {
            return false;
        }
        if let Some(want) = &f.section {
            // The section or one below it (`tin-tuc/2024` is in `tin-tuc`).
            let inside = s.section.as_ref().is_some_and(|have| {
                have.strip_prefix(want.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            });
            if !inside {
                return false;
            }
        }
        if let Some(tax) = &f.taxonomy {
            let Some(terms) = s.taxonomies.get(tax).filter(|t| !t.is_empty()) else {
                return false;
            };
            if let Some(term) = &f.term {
                let slugs = self.slugs.get(tax);
                let named = |name: &String| {
                    name == term || slugs.and_then(|m| m.get(name)).is_some_and(|x| x == term)
                };
                if !terms.iter().any(named) {
                    return false;
                }
            }
        }
        if f.from.is_some() || f.to.is_some() {
            let Some(date) = date else {
                return false;
            };
            if f.from.is_some_and(|from| date < from) || f.to.is_some_and(|to| date > to) {
                return false;
            }
        }
        true
    }
}

/// The filters and page of a listing, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Content kind (`news`, `section`…).
    pub kind: Option<String>,
    /// Section folder (`tin-tuc`): its items and its subsections'.
    pub section: Option<String>,
    /// Language.
    pub lang: Option<String>,
    /// Taxonomy the items must have a term of.
    pub taxonomy: Option<String>,
    /// That term (slug or name).
    pub term: Option<String>,
    /// Dated at or after.
    pub from: Option<NaiveDateTime>,
    /// Dated at or before.
    pub to: Option<NaiveDateTime>,
    /// From 1.
    pub page: usize,
    /// From 1 to [`MAX_PER_PAGE`].
    pub per_page: usize,
    /// Only these items (indexes in the listing, ascending): the search's matches.
    pub only: Option<Vec<usize>>,
    /// The order.
    pub sort: Order,
}

/// The order of a listing (`sort=`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// `-date`: newest first, then by path, undated last (`content.json`'s order).
    #[default]
    Newest,
    /// `date`: oldest first, undated last.
    Oldest,
    /// `title`: by title, diacritics folded (`Đ` with `D`), then as written.
    TitleAz,
    /// `-title`.
    TitleZa,
}

impl Order {
    /// The order named by `sort=` (`date`, `-date`, `title`, `-title`).
    pub fn parse(s: &str) -> Option<Order> {
        match s {
            "-date" => Some(Order::Newest),
            "date" => Some(Order::Oldest),
            "title" => Some(Order::TitleAz),
            "-title" => Some(Order::TitleZa),
            _ => None,
        }
    }
}

/// Each item's rank by its title: lowercase and folded first, so `Đường` sorts with `Duong`,
/// then as written, then by index (a total order: equal titles keep the listing's order).
fn title_ranks(items: &[ContentSummary]) -> Vec<u32> {
    let keys: Vec<String> = items
        .iter()
        .map(|s| search_index::analysis::fold(&s.title.to_lowercase()))
        .collect();
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| {
        keys[a]
            .cmp(&keys[b])
            .then_with(|| items[a].title.cmp(&items[b].title))
            .then(a.cmp(&b))
    });
    let mut rank = vec![0u32; items.len()];
    for (r, i) in order.into_iter().enumerate() {
        rank[i] = u32::try_from(r).unwrap_or(u32::MAX);
    }
    rank
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            kind: None,
            section: None,
            lang: None,
            taxonomy: None,
            term: None,
            from: None,
            to: None,
            page: 1,
            per_page: PER_PAGE,
            only: None,
            sort: Order::Newest,
        }
    }
}

/// `2024-05-01`, `2024-05-01T08:30`, `2024-05-01T08:30:00` (a space for the `T` too).
pub fn parse_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0);
    }
    [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// The end of the day of `to` when it is a date alone (`to=2024-05-01` takes in that day).
pub fn parse_until(s: &str) -> Option<NaiveDateTime> {
    match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => d.and_hms_opt(23, 59, 59),
        Err(_) => parse_time(s),
    }
}

/// Every site's parsed API, by the site's output folder.
#[derive(Debug, Default)]
pub struct ReadCache {
    sites: RwLock<HashMap<PathBuf, Arc<SiteIndex>>>,
}

impl ReadCache {
    /// The API of the site whose output folder is `root`, parsed again if a build changed it.
    pub fn site(&self, root: &Path) -> Result<Arc<SiteIndex>, LoadError> {
        let now = SiteIndex::stamps(&root.join(API_DIR));
        if let Some(have) = self
            .sites
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(root)
            .filter(|s| s.stamps == now)
        {
            return Ok(have.clone());
        }
        let loaded = match SiteIndex::load(root) {
            Ok(l) => Arc::new(l),
            Err(e) => {
                // Mid-swap or broken: keep answering from the build we have, if any.
                let sites = self.sites.read().unwrap_or_else(|e| e.into_inner());
                let Some(have) = sites.get(root) else {
                    return Err(e);
                };
                tracing::warn!("read API not reloaded: {e}");
                return Ok(have.clone());
            }
        };
        self.sites
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(root.to_path_buf(), loaded.clone());
        Ok(loaded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssg::api::{SectionNode, SiteRef, TaxonomyDoc, TermDoc};

    fn summary(path: &str, section: &str, lang: &str, date: &str, topic: &str) -> ContentSummary {
        ContentSummary {
            path: path.into(),
            url: format!("https://a.vn/{path}"),
            kind: "news".into(),
            section: Some(section.into()),
            lang: lang.into(),
            title: path.into(),
            description: None,
            date: Some(date.into()),
            updated: None,
            taxonomies: [("topics".to_string(), vec![topic.to_string()])].into(),
            translations: Vec::new(),
        }
    }

    /// A site's API files in a temporary folder, and their index.
    fn index(items: Vec<ContentSummary>) -> (tempfile::TempDir, SiteIndex) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(API_DIR);
        std::fs::create_dir_all(&dir).unwrap();
        let url = "https://a.vn/".to_string();
        let sites = SitesDoc {
            network: "N".into(),
            sites: vec![SiteRef {
                id: "a".into(),
                name: "A".into(),
                domain: "a.vn".into(),
                url: url.clone(),
            }],
        };
        let home = SectionNode {
            path: "_index.md".into(),
            url: url.clone(),
            title: "A".into(),
            pages: 0,
            children: Vec::new(),
        };
        let term = |name: &str, slug: &str| TermDoc {
            name: name.into(),
            slug: slug.into(),
            url: url.clone(),
            pages: 1,
        };
        let site = SiteDoc {
            id: "a".into(),
            name: "A".into(),
            name_en: None,
            domain: "a.vn".into(),
            url: url.clone(),
            portal: true,
            languages: vec!["vi".into(), "en".into()],
            sections: [("vi".to_string(), home)].into(),
            taxonomies: vec![TaxonomyDoc {
                name: "topics".into(),
                lang: "vi".into(),
                terms: vec![term("cao tốc", "cao-toc")],
            }],
        };
        let list = ContentList {
            site: "a".into(),
            items,
        };
        put(&dir.join("sites.json"), &sites);
        put(&dir.join("site.json"), &site);
        put(&dir.join("content.json"), &list);
        let index = SiteIndex::load(tmp.path()).unwrap();
        (tmp, index)
    }

    fn put(path: &Path, v: &impl serde::Serialize) {
        std::fs::write(path, serde_json::to_vec(v).unwrap()).unwrap();
    }

    fn paths(index: &SiteIndex, f: Filter) -> Vec<String> {
        index.page(&f).items.into_iter().map(|s| s.path).collect()
    }

    #[test]
    fn sorted_by_date_or_title_and_restricted_to_matches() {
        let mut undated = summary("z.md", "tin", "vi", "", "x");
        undated.date = None;
        let mut items = vec![
            summary("b.md", "tin", "vi", "2024-03-01", "x"),
            summary("a.md", "tin", "vi", "2024-01-01", "x"),
            undated,
        ];
        items[0].title = "Đường bộ".into();
        items[1].title = "Cầu".into();
        items[2].title = "duong sat".into();
        let (_tmp, ix) = index(items);
        let by = |sort| {
            paths(
                &ix,
                Filter {
                    sort,
                    ..Filter::default()
                },
            )
        };
        assert_eq!(by(Order::Newest), ["b.md", "a.md", "z.md"]);
        assert_eq!(by(Order::Oldest), ["a.md", "b.md", "z.md"]);
        // `Đ` sorts with `D`.
        assert_eq!(by(Order::TitleAz), ["a.md", "b.md", "z.md"]);
        assert_eq!(by(Order::TitleZa), ["z.md", "b.md", "a.md"]);
        let only = ix.indexes_of_urls(["https://a.vn/z.md", "https://a.vn/a.md", "nowhere"]);
        let f = Filter {
            only: Some(only),
            ..Filter::default()
        };
        assert_eq!(paths(&ix, f), ["a.md", "z.md"]);
        assert_eq!(Order::parse("-title"), Some(Order::TitleZa));
        assert_eq!(Order::parse("size"), None);
    }

    #[test]
    fn sections_take_in_their_subsections_only() {
        let (_tmp, ix) = index(vec![
            summary(
                "tin-tuc/2024/a.md",
                "tin-tuc/2024",
                "vi",
                "2024-03-01",
                "cao tốc",
            ),
            summary(
                "tin-tuc/b.md",
                "tin-tuc",
                "en",
                "2024-02-01T10:00:00",
                "cao tốc",
            ),
            summary("tin/c.md", "tin", "vi", "2024-01-01", "Cầu đường"),
        ]);
        let section = |s: &str| Filter {
            section: Some(s.into()),
            ..Filter::default()
        };
        assert_eq!(
            paths(&ix, section("tin-tuc")),
            ["tin-tuc/2024/a.md", "tin-tuc/b.md"]
        );
        assert_eq!(paths(&ix, section("tin-tuc/2024")), ["tin-tuc/2024/a.md"]);
        assert_eq!(paths(&ix, section("tin")), ["tin/c.md"]);
        assert!(paths(&ix, section("tin-t")).is_empty());
        let term = |t: &str| Filter {
            taxonomy: Some("topics".into()),
            term: Some(t.into()),
            ..Filter::default()
        };
        assert_eq!(paths(&ix, term("cao-toc")).len(), 2);
        assert_eq!(paths(&ix, term("cao tốc")).len(), 2);
        // A term site.json does not list is slugged as the build does.
        assert_eq!(paths(&ix, term("cau-duong")), ["tin/c.md"]);
        let both = Filter {
            lang: Some("vi".into()),
            from: parse_time("2024-02-01"),
            ..term("cao-toc")
        };
        assert_eq!(paths(&ix, both), ["tin-tuc/2024/a.md"]);
        let page = ix.page(&Filter {
            page: 2,
            per_page: 2,
            ..Filter::default()
        });
        assert_eq!((page.total, page.pages, page.items.len()), (3, 2, 1));
        assert_eq!(ix.item("tin/c").map(|s| s.path.as_str()), Some("tin/c.md"));
        assert!(ix.item("../content.json").is_none());
    }

    #[test]
    fn times_and_days() {
        let t = |s| parse_time(s).map(|t| t.to_string());
        assert_eq!(t("2024-05-01").as_deref(), Some("2024-05-01 00:00:00"));
        assert_eq!(
            t("2024-05-01T08:30").as_deref(),
            Some("2024-05-01 08:30:00")
        );
        assert_eq!(
            t("2024-05-01 08:30:05").as_deref(),
            Some("2024-05-01 08:30:05")
        );
        assert_eq!(t("hôm qua"), None);
        assert_eq!(t("2024-13-01"), None);
        assert_eq!(
            parse_until("2024-05-01").map(|t| t.to_string()).as_deref(),
            Some("2024-05-01 23:59:59")
        );
    }
}
