//! Markdown to HTML with pulldown-cmark: tables, footnotes, strikethrough, heading ids,
//! internal links resolved, images required to have alternative text.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::links::{check_relative, LinkIndex};

/// A heading, for tables of contents.
#[derive(Debug, Clone, Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Its `id`.
    pub id: String,
    /// Its text.
    pub title: String,
}

/// Rendered Markdown.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The HTML.
    pub html: String,
    /// Headings in order.
    pub toc: Vec<Heading>,
    /// The text without markup, for the search index.
    pub text: String,
}

/// A problem at a byte offset of the Markdown: (offset, message, hint).
pub type MdProblem = (usize, String, String);

/// What rendering needs to know.
pub struct MdContext<'a> {
    /// All link targets.
    pub links: &'a LinkIndex,
    /// The index of the site being rendered.
    pub site: usize,
    /// The URL path of the page.
    pub page_path: &'a str,
    /// The page's language, for the few words the renderer adds.
    pub lang: &'a str,
    /// The page's processed images: a Markdown image of one is a `<picture>` of its variants.
    pub images: Option<&'a crate::images::PageImages>,
    /// Whether the site keeps raw HTML as written (`raw_html` in `network.toml`); else the
    /// HTML is made safe (see [`crate::sanitize`]).
    pub raw_html: bool,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

fn level_num(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Renders `md`, returning the HTML and every problem found.
pub fn render(md: &str, cx: &MdContext<'_>) -> (Rendered, Vec<MdProblem>) {
    let mut problems = Vec::new();
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut toc = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut heading: Option<(usize, Vec<Event<'_>>)> = None;
    let mut image: Option<(usize, String)> = None;
    // An image shown as a `<picture>`: its picture and title; its alt text is in `image`.
    let mut picture: Option<(crate::images::Picture, CowStr<'_>)> = None;
    let mut tables = Tables::default();
    // Whether the text has raw HTML, to clean; and the ends of a link and of an image left
    // out for their unsafe URL (a link holds no link; an image may be in a link).
    let mut raw = false;
    let (mut skip_link_end, mut skip_image_end) = (false, false);
    let checked = !cx.raw_html;

    for (event, range) in Parser::new_ext(md, options()).into_offset_iter() {
        raw |= matches!(event, Event::Html(_) | Event::InlineHtml(_));
        if let Some(pic) = picture.take() {
            picture = in_picture(event, pic, &mut image, &mut problems, &mut events);
            continue;
        }
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if checked && !crate::sanitize::safe_url(&dest_url, false) {
                    skip_link_end = true;
                    continue;
                }
                // A link to a processed image goes to its widest variant: the file itself is
                // not published.
                let dest_url = match picture_of(&dest_url, cx) {
                    Some(pic) => CowStr::from(pic.src),
                    None => rewrite_link(dest_url, range.start, cx, &mut problems),
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                image = Some((range.start, String::new()));
                if checked && !crate::sanitize::safe_url(&dest_url, true) {
                    // Its alternative text is shown instead.
                    skip_image_end = true;
                    continue;
                }
                if let Some(pic) = picture_of(&dest_url, cx) {
                    picture = Some((pic, title));
                    continue;
                }
                let dest_url = rewrite_link(dest_url, range.start, cx, &mut problems);
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Image) => {
                if let Some((at, alt)) = image.take() {
                    if alt.trim().is_empty() {
                        problems.push((
                            at,
                            "image without alternative text".into(),
                            ALT_HINT.into(),
                        ));
                    }
                }
                if std::mem::take(&mut skip_image_end) {
                    continue;
                }
                Event::End(TagEnd::Image)
            }
            Event::End(TagEnd::Link) if skip_link_end => {
                skip_link_end = false;
                continue;
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                mut attrs,
            }) if checked => {
                attrs.retain(|(k, _)| crate::sanitize::safe_heading_attr(k));
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                })
            }
            other => tables.event(other, cx.lang, &mut events),
        };
        if let Some((_, alt)) = image.as_mut() {
            if let Event::Text(t) | Event::Code(t) = &event {
                alt.push_str(t);
            }
        }
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some((events.len(), Vec::new())),
            Event::End(TagEnd::Heading(level)) => {
                if let Some((start, text_events)) = heading.take() {
                    let toc_ids = (&mut toc, &mut ids);
                    close_heading(&mut events, start, text_events, level, toc_ids);
                }
                continue;
            }
            _ => {}
        }
        match heading.as_mut() {
            Some((start, buf)) if events.len() > *start => buf.push(event),
            _ => events.push(event),
        }
    }
    let text = plain_text(&events, md.len());
    let mut html = String::with_capacity(md.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if raw && checked {
        html = crate::sanitize::clean(&html);
    }
    (Rendered { html, toc, text }, problems)
}

/// Where a table being rendered stands: in its head or body, its columns' alignments, the
/// cell's column. Cells get a class for their alignment, not pulldown-cmark's `style`
/// attribute, which the Content-Security-Policy does not allow.
#[derive(Default)]
struct Tables {
    in_head: bool,
    aligns: Vec<pulldown_cmark::Alignment>,
    column: usize,
}

impl Tables {
    /// The table events made accessible (a scrolling region, header scopes, alignment
    /// classes); `events` gets what goes before the returned event. Others pass unchanged.
    fn event<'a>(
        &mut self,
        event: Event<'a>,
        lang: &str,
        events: &mut Vec<Event<'a>>,
    ) -> Event<'a> {
        match event {
            // A wide table scrolls inside a region keyboard users can reach (WCAG 2.1.1).
            Event::Start(Tag::Table(a)) => {
                self.aligns.clone_from(&a);
                let label = if lang == "en" { "Table" } else { "Bảng" };
                events.push(Event::Html(CowStr::from(format!(
                        "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{label}\">"
                    ))));
                Event::Start(Tag::Table(a))
            }
            Event::End(TagEnd::Table) => {
                events.push(Event::End(TagEnd::Table));
                Event::Html(CowStr::Borrowed("</div>"))
            }
            Event::Start(Tag::TableHead) => {
                self.in_head = true;
                self.column = 0;
                Event::Start(Tag::TableHead)
            }
            Event::Start(Tag::TableRow) => {
                self.column = 0;
                Event::Start(Tag::TableRow)
            }
            Event::End(TagEnd::TableHead) => {
                self.in_head = false;
                Event::End(TagEnd::TableHead)
            }
            // Header cells get a scope so screen readers can relate cells to headers.
            Event::Start(Tag::TableCell) => {
                let class = align_class(self.aligns.get(self.column));
                Event::Html(CowStr::from(match self.in_head {
                    true => format!("<th scope=\"col\"{class}>"),
                    false => format!("<td{class}>"),
                }))
            }
            Event::End(TagEnd::TableCell) => {
                self.column += 1;
                Event::Html(CowStr::Borrowed(match self.in_head {
                    true => "</th>",
                    false => "</td>",
                }))
            }
            other => other,
        }
    }
}

/// Ends the heading that starts at `events[start]`, whose content is `text_events`: gives it a
/// unique id and adds it to the table of contents.
fn close_heading<'a>(
    events: &mut Vec<Event<'a>>,
    start: usize,
    text_events: Vec<Event<'a>>,
    level: pulldown_cmark::HeadingLevel,
    (toc, ids): (&mut Vec<Heading>, &mut HashMap<String, usize>),
) {
    let title: String = text_events
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    if let Event::Start(Tag::Heading {
        level: l,
        id,
        classes,
        attrs,
    }) = &events[start]
    {
        let unique = heading_id(ids, id.as_deref(), &title);
        toc.push(Heading {
            level: level_num(*l),
            id: unique.clone(),
            title,
        });
        events[start] = Event::Start(Tag::Heading {
            level: *l,
            id: Some(CowStr::from(unique)),
            classes: classes.clone(),
            attrs: attrs.clone(),
        });
    }
    events.extend(text_events);
    events.push(Event::End(TagEnd::Heading(level)));
}

/// The id of a heading: its own (`{#id}`), else its title's slug (`muc` when empty), with
/// `-1`, `-2`… after the first use of an id in the page (`ids` counts them).
fn heading_id(ids: &mut HashMap<String, usize>, own: Option<&str>, title: &str) -> String {
    let base = match own {
        Some(i) => i.to_string(),
        None => {
            let s = cms_core::slugify(title);
            if s.is_empty() {
                "muc".to_string()
            } else {
                s
            }
        }
    };
    let n = ids.entry(base.clone()).or_insert(0);
    let unique = if *n == 0 {
        base.clone()
    } else {
        format!("{base}-{n}")
    };
    *n += 1;
    unique
}

/// The words of the events, blocks and cells kept apart by a space.
fn plain_text(events: &[Event<'_>], capacity: usize) -> String {
    let mut text = String::with_capacity(capacity);
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            // Blocks and cells end words; inline markup (links, emphasis) does not.
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::List(_)
                | TagEnd::FootnoteDefinition
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition,
            ) if !text.ends_with(' ') && !text.is_empty() => text.push(' '),
            _ => {}
        }
    }
    text.truncate(text.trim_end().len());
    text
}

/// An event inside a Markdown image shown as a `<picture>`: its text is the alternative text
/// (kept in `image`); at its end the `<picture>` is written. The picture, until then.
fn in_picture<'a>(
    event: Event<'a>,
    (mut pic, title): (crate::images::Picture, CowStr<'a>),
    image: &mut Option<(usize, String)>,
    problems: &mut Vec<MdProblem>,
    events: &mut Vec<Event<'a>>,
) -> Option<(crate::images::Picture, CowStr<'a>)> {
    match event {
        Event::End(TagEnd::Image) => {
            let (at, alt) = image.take().unwrap_or_default();
            if alt.trim().is_empty() {
                problems.push((at, "image without alternative text".into(), ALT_HINT.into()));
            }
            pic.alt = alt;
            events.push(Event::Html(CowStr::from(pic.html(Some(&title)))));
            return None;
        }
        Event::Text(t) | Event::Code(t) => {
            if let Some((_, alt)) = image.as_mut() {
                alt.push_str(&t);
            }
        }
        _ => {}
    }
    Some((pic, title))
}

/// What to do about an image without alternative text.
const ALT_HINT: &str = "describe the image: ![Mô tả ảnh](anh.jpg)";

/// The picture of a processed image of the page that `dest` names (`anh.jpg`, `./anh.jpg`).
fn picture_of(dest: &str, cx: &MdContext<'_>) -> Option<crate::images::Picture> {
    let images = cx.images?;
    let name = dest.strip_prefix("./").unwrap_or(dest);
    let decoded = percent_encoding::percent_decode_str(name)
        .decode_utf8()
        .ok()?;
    let src = images.by_name.get(decoded.as_ref())?;
    Some(crate::images::Picture::new(
        cx.page_path,
        src,
        String::new(),
    ))
}

fn rewrite_link<'a>(
    dest: CowStr<'a>,
    at: usize,
    cx: &MdContext<'_>,
    problems: &mut Vec<MdProblem>,
) -> CowStr<'a> {
    if dest.starts_with("@/") {
        match cx.links.resolve(cx.site, &dest) {
            Ok(url) => CowStr::from(url),
            Err((msg, hint)) => {
                problems.push((at, msg, hint));
                dest
            }
        }
    } else {
        if let Err((msg, hint)) = check_relative(cx.page_path, &dest) {
            problems.push((at, msg, hint));
        }
        dest
    }
}

/// The 1-based line of byte `offset` in `text`, when `text` starts on line `first_line`.
pub fn line_of(text: &str, offset: usize, first_line: usize) -> (usize, usize) {
    let (line, col) = cms_core::line_col(text, offset);
    (line + first_line - 1, col)
}

/// The class attribute of a table cell in a column aligned `a` (the theme's stylesheet
/// aligns `.align-left`, `.align-center`, `.align-right`).
fn align_class(a: Option<&pulldown_cmark::Alignment>) -> &'static str {
    use pulldown_cmark::Alignment;
    match a {
        Some(Alignment::Left) => " class=\"align-left\"",
        Some(Alignment::Center) => " class=\"align-center\"",
        Some(Alignment::Right) => " class=\"align-right\"",
        _ => "",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The link index of a network of one site, `mt`, with its home only.
    pub(crate) fn empty_index() -> LinkIndex {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sites/mt")).unwrap();
        std::fs::write(
            dir.path().join("network.toml"),
            "[network]\nname=\"N\"\nbase_domain=\"mt.gov.vn\"\nportal=\"mt\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("sites/mt/site.toml"),
            "name=\"M\"\ndomain=\"mt.gov.vn\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("sites/mt/_index.md"),
            "+++\ntitle=\"M\"\n+++\n",
        )
        .unwrap();
        let n = cms_core::load(&cms_core::Source::Dir(dir.path().to_path_buf())).unwrap();
        LinkIndex::new(&n)
    }

    fn context(idx: &LinkIndex) -> MdContext<'_> {
        MdContext {
            links: idx,
            site: 0,
            page_path: "/a/",
            lang: "vi",
            images: None,
            raw_html: false,
        }
    }

    #[test]
    fn headings_get_unique_ids_and_tables_scoped_headers() {
        let idx = empty_index();
        let cx = context(&idx);
        let (r, p) = render("## Kế hoạch\n\n## Kế hoạch\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\nx~~y~~[^1]\n\n[^1]: chú thích\n", &cx);
        assert!(p.is_empty(), "{p:?}");
        assert!(
            r.html.contains("<h2 id=\"ke-hoach\">Kế hoạch</h2>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<h2 id=\"ke-hoach-1\">"), "{}", r.html);
        assert!(r.html.contains("<th scope=\"col\">A</th>"), "{}", r.html);
        assert!(r.html.contains("<del>y</del>"), "{}", r.html);
        assert!(r.html.contains("footnote"), "{}", r.html);
        assert_eq!(r.toc.len(), 2);
    }

    #[test]
    fn aligned_columns_get_a_class_not_a_style() {
        let idx = empty_index();
        let cx = context(&idx);
        let (r, _) = render("| A | B | C |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n", &cx);
        assert!(!r.html.contains("style="), "{}", r.html);
        assert!(
            r.html
                .contains("<th scope=\"col\" class=\"align-left\">A</th>"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<td class=\"align-center\">2</td><td class=\"align-right\">3</td>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn an_escaped_at_sign_still_makes_a_link_to_resolve() {
        // Why a text with `&` depends on the link index (see lazy_markdown).
        let idx = empty_index();
        let cx = context(&idx);
        for md in ["[x](&#64;/mt/khong-co.md)", "[x](\\@/mt/khong-co.md)"] {
            let (_, p) = render(md, &cx);
            assert_eq!(p.len(), 1, "{md}: {p:?}");
            assert!(p[0].1.contains("broken link"), "{md}: {p:?}");
        }
    }

    #[test]
    fn links_and_images_are_checked() {
        let idx = empty_index();
        let cx = context(&idx);
        let (r, p) = render("[home](@/mt/_index.md#top) [x](@/mt/khong-co.md) [y](@/../../etc/passwd) ![](a.png) [z](../../etc/passwd)", &cx);
        assert!(r.html.contains("href=\"/#top\""), "{}", r.html);
        let msgs: Vec<&str> = p.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(msgs.len(), 4, "{msgs:?}");
        assert!(msgs[0].contains("broken link"));
        assert!(msgs[1].contains("leaves the content root"));
        assert!(msgs[2].contains("alternative text"));
        assert!(msgs[3].contains("leaves the site"));
    }

    #[test]
    fn line_numbers_count_from_the_body_start() {
        assert_eq!(line_of("a\nb\nc", 4, 5), (7, 1));
    }
}
