//! The edit form of a page (`/admin/sites/{site}/edit/{path}`) and of a new one
//! (`/admin/sites/{site}/new?section=`): generated from the kind schema of the page's section
//! (`GET /api/v1/sites/{site}/kinds`), saved with `PUT …/pages/{path}` and `If-Match`, the
//! problems of `cms check` shown beside their fields, a conflict shown with both versions, and
//! the page previewed in its site's theme (`POST …/preview/{path}`).

mod actions;
pub mod form;
mod frame;
pub mod pick;
mod side;
pub mod text;

use axum::extract::{Path, Query};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use serde::{Deserialize, Serialize};

use self::form::{posted, Input, Posted};
use self::text::{Fields, Split, Syntax};
use super::cx::{Answer, Cx};
use super::page_info::api_path;
use crate::api::{FieldProblem, FileList, KindsView, PageView, PreviewView, Problem, SessionView};

pub use actions::{delete, submit};
pub use frame::{preview_json, rewrite, site_file};
pub use pick::pick_json;

/// A conflicting save: the version saved meanwhile and the diff to the user's.
#[derive(Debug, Serialize, Deserialize)]
struct Conflict {
    current: Option<Current>,
    #[serde(default)]
    diff: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Current {
    text: String,
    blob: String,
}

/// The other language's version of the page.
#[derive(Debug, Clone, Serialize)]
struct Translation {
    lang: String,
    path: String,
    /// Whether it exists (as a draft or published).
    exists: bool,
    /// The link's text: "Bản tiếng Anh (en)", or "Tạo bản tiếng Anh" when it does not exist.
    label: String,
}

/// What the edit form shows.
#[derive(Debug, Serialize)]
struct EditView {
    site: String,
    /// The page's path in the site (empty for a new page without its slug yet).
    path: String,
    is_new: bool,
    kind: String,
    kind_label: String,
    lang: String,
    /// A new page's section and slug.
    section: String,
    slug: String,
    inputs: Vec<Input>,
    body: String,
    /// Problems of the body and of no field of the form.
    other_errors: Vec<FieldProblem>,
    blob: String,
    front: String,
    syntax: &'static str,
    /// The preview in the site's theme (after "Xem trước" without JavaScript).
    preview_html: Option<String>,
    notice: Option<String>,
    conflict: Option<Conflict>,
    translation: Option<Translation>,
    multilingual: bool,
    /// The other language's version, shown beside the fields.
    side: Option<side::Side>,
    /// The page whose media page uploads the bundle's files (`…/index.md`), if a bundle.
    media: Option<String>,
}

/// `?saved=1`, `?submitted=1` after a redirect.
#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    saved: Option<String>,
    submitted: Option<String>,
}

/// `GET /admin/sites/{site}/edit/{path}`: the form, filled from the page's draft (empty, for
/// the page's kind, when the page does not exist yet: a translation to write).
pub async fn show(
    cx: Cx,
    Path((site, path)): Path<(String, String)>,
    Query(notice): Query<Notice>,
) -> Answer {
    let session = cx.session().await?;
    let kinds = kinds(&cx, &session, &site).await?;
    let (text, blob, missing) = match cx
        .api
        .get::<PageView>(&format!("/sites/{site}/pages/{path}"))
        .await
    {
        Ok(p) => (p.text, p.blob, false),
        Err(p) if p.status == 404 => (String::new(), String::new(), true),
        Err(p) => return Err(cx.fail(Some(&session), p)),
    };
    let mut view = view_of_text(&cx, &kinds, &site, &path, &text, blob);
    view.notice = match (notice.saved, notice.submitted) {
        (Some(_), _) => Some(cx.s("edit_saved")),
        (_, Some(_)) => Some(cx.s("edit_submitted")),
        _ => None,
    };
    around(&cx, &kinds, &site, &mut view, missing).await;
    render(&cx, &session, StatusCode::OK, None, &view)
}

/// `?section=tin-tuc&lang=en` of the new page form.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    section: String,
    #[serde(default)]
    lang: String,
}

/// `GET /admin/sites/{site}/new?section=&lang=`: the form of the section's kind, empty.
pub async fn new_form(cx: Cx, Path(site): Path<String>, Query(q): Query<NewQuery>) -> Answer {
    let session = cx.session().await?;
    let kinds = kinds(&cx, &session, &site).await?;
    let section = q.section.trim_matches('/').to_string();
    let probe = format!(
        "{}{}x.md",
        section,
        if section.is_empty() { "" } else { "/" }
    );
    let mut view = view_of_text(&cx, &kinds, &site, &probe, "", String::new());
    view.path = String::new();
    view.is_new = true;
    view.section = section;
    if kinds.languages.contains(&q.lang) {
        view.lang = q.lang;
    }
    render(&cx, &session, StatusCode::OK, None, &view)
}

/// `POST /admin/sites/{site}/edit/{path}`: saves (`action=save`) or previews
/// (`action=preview`) the form.
pub async fn save(
    cx: Cx,
    Path((site, path)): Path<(String, String)>,
    Form(form): Form<Posted>,
) -> Answer {
    let session = cx.session().await?;
    let kinds = kinds(&cx, &session, &site).await?;
    let blob = posted(&form, "blob").unwrap_or_default().to_string();
    let if_match = (!blob.is_empty()).then_some(blob.as_str());
    let redirect = format!("/admin/sites/{site}/edit/{path}?saved=1");
    handle(
        &cx, &session, &kinds, &site, &path, &form, if_match, redirect,
    )
    .await
}

/// `POST /admin/sites/{site}/new`: creates the page bundle `<section>/<slug>/index[.<lang>].md`
/// (refused with 412 when it exists), or previews it. A bundle, so that images and documents
/// can be added to the new page (only bundles have files).
pub async fn create(cx: Cx, Path(site): Path<String>, Form(form): Form<Posted>) -> Answer {
    let session = cx.session().await?;
    let kinds = kinds(&cx, &session, &site).await?;
    let path = new_path(&form, &kinds);
    let redirect = format!("/admin/sites/{site}/edit/{path}?saved=1");
    handle(&cx, &session, &kinds, &site, &path, &form, None, redirect).await
}

/// The path of a new page from its form's section, slug and language.
fn new_path(form: &Posted, kinds: &KindsView) -> String {
    let section = posted(form, "section")
        .unwrap_or_default()
        .trim_matches('/');
    let slug = cms_core::slugify(posted(form, "slug").unwrap_or_default());
    let slug = if slug.is_empty() {
        "moi".to_string()
    } else {
        slug
    };
    let lang = posted(form, "lang").unwrap_or_default();
    let suffix = match kinds.languages.first() {
        Some(d) if d != lang && kinds.languages.iter().any(|l| l == lang) => format!(".{lang}"),
        _ => String::new(),
    };
    match section {
        "" => format!("{slug}/index{suffix}.md"),
        s => format!("{s}/{slug}/index{suffix}.md"),
    }
}

/// Saves or previews the posted form of the page `path`.
#[allow(clippy::too_many_arguments)]
async fn handle(
    cx: &Cx,
    session: &SessionView,
    kinds: &KindsView,
    site: &str,
    path: &str,
    form: &Posted,
    if_match: Option<&str>,
    redirect: String,
) -> Answer {
    let mut form = form.clone();
    let asked = pick::apply(&mut form, kinds);
    let form = &form;
    let text = form::text_of(form, kinds);
    let csrf = posted(form, "csrf").unwrap_or_default();
    let api = cx.api.with_csrf(csrf);
    let is_new = posted(form, "is_new").is_some();
    let blob = if_match.unwrap_or_default().to_string();
    let mut view = view_of_text(cx, kinds, site, path, &text, blob);
    view.is_new = is_new;
    if is_new {
        view.section = posted(form, "section").unwrap_or_default().to_string();
        view.slug = posted(form, "slug").unwrap_or_default().to_string();
        view.path = String::new();
    } else {
        around(cx, kinds, site, &mut view, false).await;
    }
    if let Some(name) = asked {
        // "Tìm trang" or a page chosen: the form again, with the search beside its field.
        if posted(form, "find").is_some() && posted(form, "pick").is_none() {
            let found = pick::search_of(cx, site, form, &name).await;
            pick::show(&mut view.inputs, &name, found);
        }
        return render(cx, session, StatusCode::OK, None, &view);
    }
    if posted(form, "action") == Some("preview") {
        let shown = api
            .call(
                Method::POST,
                &format!("/sites/{site}/preview/{path}"),
                Some(&crate::api::PreviewRequest { text }),
                None,
            )
            .await
            .and_then(|r| r.json::<PreviewView>());
        match shown {
            Ok(p) => {
                view.preview_html = Some(frame::rewrite(&p.html, site));
                view.other_errors = form::place_errors(&mut view.inputs, p.errors);
            }
            Err(p) => return render(cx, session, status_of(&p), Some(&p), &view),
        }
        return render(cx, session, StatusCode::OK, None, &view);
    }
    let reply = api
        .call(
            Method::PUT,
            &format!("/sites/{site}/pages/{path}"),
            Some(&crate::api::SaveRequest { text }),
            if_match,
        )
        .await
        .map_err(|p| cx.fail(Some(session), p))?;
    if reply.status.is_success() {
        return Ok(Redirect::to(&redirect).into_response());
    }
    let problem = reply.problem();
    match problem.status {
        422 => {
            view.other_errors = form::place_errors(&mut view.inputs, problem.errors.clone());
        }
        409 => {
            let extra = serde_json::Value::Object(problem.extra.clone().unwrap_or_default());
            if let Ok(c) = serde_json::from_value::<Conflict>(extra) {
                // Saving again saves over the current version, its diff seen.
                if let Some(cur) = &c.current {
                    view.blob = cur.blob.clone();
                }
                view.conflict = Some(c);
            }
        }
        401 | 403 => return Err(cx.fail(Some(session), problem)),
        _ => {}
    }
    render(cx, session, status_of(&problem), Some(&problem), &view)
}

fn status_of(p: &Problem) -> StatusCode {
    StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The kind schemas and the site's sections, or the error page (403 for another agency).
async fn kinds(cx: &Cx, session: &SessionView, site: &str) -> Result<KindsView, super::AdminError> {
    cx.api
        .get::<KindsView>(&format!("/sites/{site}/kinds"))
        .await
        .map_err(|p| cx.fail(Some(session), p))
}

/// The form of the page `path` whose text is `text`.
fn view_of_text(
    cx: &Cx,
    kinds: &KindsView,
    site: &str,
    path: &str,
    text: &str,
    blob: String,
) -> EditView {
    let split: Split = text::split(text);
    let fields = Fields::parse(&split);
    let kind_name = form::page_kind(kinds, path, fields.as_ref());
    let empty = Fields::empty(split.syntax);
    let (inputs, label) = match form::kind_of(kinds, &kind_name) {
        Some(k) => (
            form::inputs(kinds, k, fields.as_ref().unwrap_or(&empty), cx.lang),
            if cx.lang == "en" {
                k.label_en.clone()
            } else {
                k.label.clone()
            },
        ),
        None => (Vec::new(), kind_name.clone()),
    };
    let default = kinds
        .languages
        .first()
        .cloned()
        .unwrap_or_else(|| "vi".into());
    let lang = lang_of(path, &kinds.languages).unwrap_or_else(|| default.clone());
    EditView {
        site: site.to_string(),
        path: path.to_string(),
        is_new: false,
        kind: kind_name,
        kind_label: label,
        lang: lang.clone(),
        section: String::new(),
        slug: String::new(),
        inputs,
        body: split.body.clone(),
        other_errors: Vec::new(),
        blob,
        front: split.front.clone(),
        syntax: match split.syntax {
            Syntax::Toml => "toml",
            Syntax::Yaml => "yaml",
        },
        preview_html: None,
        notice: None,
        conflict: None,
        translation: translation(path, &lang, &default, &kinds.languages).map(|mut t| {
            t.label = cx
                .s("edit_translation_create")
                .replace("{lang}", &side::lang_name(cx, &t.lang));
            t
        }),
        multilingual: kinds.languages.len() > 1,
        side: None,
        media: None,
    }
}

/// What the form shows around its fields of an existing page (or of a translation to
/// write): the other language's version beside them, a translation not written yet started
/// from it (`start`), and the bundle's files offered to the file fields.
async fn around(cx: &Cx, kinds: &KindsView, site: &str, view: &mut EditView, start: bool) {
    let (media, files) = bundle_files(cx, site, &view.path).await;
    view.media = media;
    if let Some(mut tr) = view.translation.clone() {
        if let Some(text) = side::other_text(cx, site, &tr.path).await {
            let theirs = view_of_text(cx, kinds, site, &tr.path, &text, String::new());
            if start {
                let split = text::split(&text);
                let own_kind = Fields::parse(&split).is_some_and(|f| {
                    !f.get(&text::Key {
                        table: None,
                        name: "kind",
                    })
                    .is_empty()
                });
                let first = side::start_text(kinds, &theirs.kind, own_kind, &theirs.inputs);
                let fresh = view_of_text(cx, kinds, site, &view.path, &first, String::new());
                view.inputs = fresh.inputs;
                view.front = fresh.front;
                view.kind = fresh.kind;
                view.kind_label = fresh.kind_label;
                view.notice = Some(cx.s("edit_translation_started"));
            }
            side::fill(&mut view.inputs, &theirs.inputs);
            let name = side::lang_name(cx, &tr.lang);
            tr.exists = true;
            tr.label = format!("{} ({})", cx.s("edit_translation"), tr.lang);
            view.side = Some(side::Side {
                label: cx.s("edit_other_version").replace("{lang}", &name),
                name,
                lang: tr.lang.clone(),
                path: tr.path.clone(),
                body: theirs.body,
            });
            view.translation = Some(tr);
        }
    }
    for i in view.inputs.iter_mut() {
        i.offer_files(&files);
    }
}

/// The files of the page's bundle (none for a page without one, or a new one): those of
/// `…/index.md` for its translations too, which share its folder.
async fn bundle_files(cx: &Cx, site: &str, path: &str) -> (Option<String>, Vec<String>) {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let bundle = file == "index.md"
        || file
            .strip_prefix("index.")
            .and_then(|r| r.strip_suffix(".md"))
            .is_some_and(|l| !l.contains('.'));
    if !bundle {
        return (None, Vec::new());
    }
    let index = match dir {
        "" => "index.md".to_string(),
        d => format!("{d}/index.md"),
    };
    let files = cx
        .api
        .get::<FileList>(&api_path("files", site, &index))
        .await
        .map(|l| {
            l.files
                .into_iter()
                .filter(|f| !f.ends_with(".md"))
                .collect()
        })
        .unwrap_or_default();
    (Some(index), files)
}

/// The language of `a.en.md` (`en`), when the site has it.
fn lang_of(path: &str, languages: &[String]) -> Option<String> {
    let stem = path.strip_suffix(".md")?;
    let (_, l) = stem.rsplit_once('.')?;
    languages.iter().find(|x| *x == l).cloned()
}

/// The page's version in the site's other language.
fn translation(path: &str, lang: &str, default: &str, languages: &[String]) -> Option<Translation> {
    let stem = path.strip_suffix(".md")?;
    if lang != default {
        let base = stem.strip_suffix(&format!(".{lang}"))?;
        return Some(Translation {
            lang: default.to_string(),
            path: format!("{base}.md"),
            exists: false,
            label: String::new(),
        });
    }
    let other = languages.iter().find(|l| *l != default)?;
    Some(Translation {
        lang: other.clone(),
        path: format!("{stem}.{other}.md"),
        exists: false,
        label: String::new(),
    })
}

/// The form page.
fn render(
    cx: &Cx,
    session: &SessionView,
    status: StatusCode,
    problem: Option<&Problem>,
    view: &EditView,
) -> Answer {
    let title = if view.is_new {
        cx.s("edit_new_title")
    } else {
        format!("{}: {}", cx.s("edit_title"), view.path)
    };
    cx.page_with(status, "edit.html", &title, Some(session), problem, view)
}
