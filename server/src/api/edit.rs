//! What the web editor's forms and live preview need: the kind schemas of the network with
//! the sections of a site (`GET /sites/{site}/kinds`), and a page's text rendered by the real
//! pipeline in its site's theme with `cms check`'s problems (`POST /sites/{site}/preview/{path}`).

// `Problem` carries whole texts by design; errors are rare next to the work.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::Json;
use cms_core::store::{PageRef, Stage};
use cms_core::{FieldSpec, FieldType, KindSchema, Network};
use db::Action;
use serde::{Deserialize, Serialize};

use super::auth::Auth;
use super::body::Body;
use super::context::{blocking, cms};
use super::errors::{join_error, page_ref};
use super::{FieldProblem, Problem};
use crate::State;

/// One field of a form: a front matter field every page has, or a typed field of a kind.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldView {
    /// Its key (in the `[kind]` table for a kind's field).
    pub name: String,
    /// `string`, `text`, `int`, `bool`, `date`, `datetime`, `enum`, `url`, `email`, `file`,
    /// `files`, `list`, `page` (a reference to another page, `@/<site>/<path>.md`), `pages`.
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether a page must have it.
    pub required: bool,
    /// Required when this other field is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_with: Option<String>,
    /// The allowed values of an `enum`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Whether each translation writes it in its own language (text), or shares it (dates,
    /// numbers, enumerations, files).
    pub translated: bool,
    /// Vietnamese label.
    pub label: String,
    /// English label.
    pub label_en: String,
    /// What to write, in Vietnamese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// A content kind and its fields, in display order.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KindView {
    /// Its name (the `[name]` table of its pages' front matter).
    pub name: String,
    /// Vietnamese label.
    pub label: String,
    /// English label.
    pub label_en: String,
    /// Languages each page of the kind must also exist in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub translations_required: Vec<String>,
    /// Its typed fields.
    pub fields: Vec<FieldView>,
}

/// A section of the site and the kind of its pages.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SectionKindView {
    /// Its folder in the site (`tin-tuc`; empty for the home).
    pub dir: String,
    /// Its language.
    pub lang: String,
    /// Its title.
    pub title: String,
    /// The kind of its pages (`page` when it names none).
    pub kind: String,
}

/// `GET /sites/{site}/kinds`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KindsView {
    /// The site's languages, its default first.
    pub languages: Vec<String>,
    /// The front matter fields of every page (title, description, date…).
    pub common: Vec<FieldView>,
    /// Every kind of the network.
    pub kinds: Vec<KindView>,
    /// The site's sections.
    pub sections: Vec<SectionKindView>,
}

/// `POST /sites/{site}/preview/{path}`.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PreviewRequest {
    /// The page's whole text, as it would be saved.
    pub text: String,
}

/// A page rendered for the preview.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PreviewView {
    /// The whole HTML document in the site's theme (empty when it could not be rendered:
    /// see `errors`).
    pub html: String,
    /// The rendered body alone.
    pub body_html: String,
    /// What `cms check` says of the text (errors and warnings), then what rendering found.
    pub errors: Vec<FieldProblem>,
    /// Milliseconds the preview took on the server.
    pub ms: u64,
}

/// The kind schemas of the network, and the kind of each section of the site.
#[utoipa::path(get, path = "/sites/{site}/kinds", tag = "pages",
    params(("site" = String, Path)),
    responses((status = 200, body = KindsView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn kinds(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path(site): Path<String>,
) -> Result<Json<KindsView>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::ReadDrafts)?;
    let network = live_network(cms)?;
    let s = network
        .site(&site)
        .ok_or_else(|| Problem::not_found(format!("Không có trang {site} (no such site).")))?;
    let sections = s
        .sections
        .iter()
        .map(|sec| SectionKindView {
            dir: sec.dir.clone(),
            lang: sec.lang.clone(),
            title: sec.meta.title.clone(),
            kind: sec.meta.kind.clone().unwrap_or_else(|| "page".into()),
        })
        .collect();
    Ok(Json(KindsView {
        languages: s.languages.clone(),
        common: common_fields(),
        kinds: network.schemas.iter().map(kind_view).collect(),
        sections,
    }))
}

/// The page's text rendered in its site's theme, and what `cms check` says of it.
#[utoipa::path(post, path = "/sites/{site}/preview/{path}", tag = "pages",
    params(("site" = String, Path), ("path" = String, Path, description = "`tin-tuc/a.md`")),
    request_body = PreviewRequest,
    responses((status = 200, body = PreviewView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 413, body = Problem),
        (status = 503, body = Problem)))]
pub async fn preview(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
    Body(req): Body<PreviewRequest>,
) -> Result<Json<PreviewView>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::Write)?;
    let page = page_ref(&site, &path)?;
    rendered(cms, &page, req.text).await.map(Json)
}

/// `GET …/preview/{path}?stage=`.
#[derive(Debug, Default, Deserialize)]
pub struct StageQuery {
    /// `draft` (the default) or `published`.
    #[serde(default)]
    pub stage: Option<Stage>,
}

/// The page's stored draft (its published text when it has no draft; with
/// `?stage=published`, the published text) rendered in its site's theme, and what `cms check`
/// says of it: what a reviewer compares. A GET, as it only reads (so it needs no CSRF token,
/// and the read-drafts right only).
#[utoipa::path(get, path = "/sites/{site}/preview/{path}", tag = "pages",
    params(("site" = String, Path), ("path" = String, Path, description = "`tin-tuc/a.md`"),
        ("stage" = Option<String>, Query, description = "`draft` (default) or `published`")),
    responses((status = 200, body = PreviewView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 503, body = Problem)))]
pub async fn preview_stored(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
    query: Result<Query<StageQuery>, QueryRejection>,
) -> Result<Json<PreviewView>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::ReadDrafts)?;
    let page = page_ref(&site, &path)?;
    let Ok(Query(query)) = query else {
        return Err(Problem::bad_request(
            "`stage` là `draft` hoặc `published` (stage must be `draft` or `published`).",
        ));
    };
    let stage = query.stage.unwrap_or(Stage::Draft);
    let missing = format!("sites/{site}/{path}");
    let doc = {
        let page = page.clone();
        blocking(cms, move |s| s.read(&page, stage)).await?
    };
    let doc =
        doc.ok_or_else(|| Problem::not_found(format!("Không có trang {missing} (no such page).")))?;
    rendered(cms, &page, doc.text).await.map(Json)
}

/// `text` as the page `page` rendered against the live network, on the blocking pool.
async fn rendered(cms: &crate::Cms, page: &PageRef, text: String) -> Result<PreviewView, Problem> {
    let network = live_network(cms)?;
    let theme = cms.live.theme(&network.config.theme).map_err(|e| {
        tracing::error!("preview: {e}");
        Problem::internal()
    })?;
    let rel = page.content_path();
    let live = cms.live.clone();
    tokio::task::spawn_blocking(move || {
        let cache = live.preview_cache(&network, &theme);
        render(&cache, &rel, &text)
    })
    .await
    .map_err(join_error)?
}

/// Checks and renders `text` as the page `rel` of the cache's network.
fn render(cache: &ssg::PreviewCache, rel: &str, text: &str) -> Result<PreviewView, Problem> {
    let clock = std::time::Instant::now();
    let (page, diags) = cms_core::checked_page(cache.network(), rel, text, None);
    let checked = clock.elapsed();
    let mut errors: Vec<FieldProblem> = diags.iter().map(FieldProblem::from).collect();
    let Some(page) = page else {
        return Ok(PreviewView {
            errors,
            ms: clock.elapsed().as_millis() as u64,
            ..PreviewView::default()
        });
    };
    let shown = cache.preview(page).map_err(|e| {
        tracing::error!("preview of {rel}: {e}");
        Problem::internal()
    })?;
    tracing::debug!(
        "preview of {rel}: check {checked:?}, {}",
        shown
            .timings
            .iter()
            .map(|(n, d)| format!("{n} {d:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    errors.extend(
        shown
            .problems
            .iter()
            .filter(|d| !diags.contains(d))
            .map(FieldProblem::from),
    );
    Ok(PreviewView {
        html: shown.html.unwrap_or_default(),
        body_html: shown.body_html,
        errors,
        ms: clock.elapsed().as_millis() as u64,
    })
}

/// The live network, or 503 before the first build.
fn live_network(cms: &crate::Cms) -> Result<Arc<Network>, Problem> {
    cms.live.network().ok_or_else(|| {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-built",
            "Trang chưa được dựng (not built yet)",
            "Chưa có bản dựng nào: thử lại sau khi trang được dựng (not built yet: try again once the site is live).",
        )
    })
}

/// A kind as the forms show it.
fn kind_view(k: &KindSchema) -> KindView {
    KindView {
        name: k.name.clone(),
        label: k.label.clone().unwrap_or_else(|| k.name.clone()),
        label_en: k
            .label_en
            .clone()
            .or_else(|| k.label.clone())
            .unwrap_or_else(|| k.name.clone()),
        translations_required: k.translations_required.clone(),
        fields: k.fields.iter().map(field_view).collect(),
    }
}

/// A kind's field as the forms show it.
fn field_view(f: &FieldSpec) -> FieldView {
    let ty = match f.ty {
        FieldType::String => "string",
        FieldType::Text => "text",
        FieldType::Int => "int",
        FieldType::Bool => "bool",
        FieldType::Date => "date",
        FieldType::Enum => "enum",
        FieldType::Url => "url",
        FieldType::Email => "email",
        FieldType::File => "file",
        FieldType::Files => "files",
        FieldType::List => "list",
        FieldType::Page => "page",
        FieldType::Pages => "pages",
    };
    // Codes (numbers of documents, procedure codes) are the same in every language.
    let translated = matches!(f.ty, FieldType::String | FieldType::Text | FieldType::List)
        && f.search_use() != cms_core::SearchUse::Code;
    let help = match f.ty {
        FieldType::Date => Some("Ngày, ví dụ 2026-12-07 (a date)".into()),
        FieldType::List | FieldType::Files => Some("Mỗi dòng một mục (one item a line)".into()),
        FieldType::File => Some("Tên tệp trong thư mục của trang (a file of the page)".into()),
        FieldType::Url => Some("Địa chỉ https://… (an address)".into()),
        FieldType::Page => Some("Một trang của mạng: @/<site>/<tệp>.md (a page)".into()),
        FieldType::Pages => {
            Some("Trang của mạng, mỗi dòng một trang: @/<site>/<tệp>.md (pages, one a line)".into())
        }
        _ => None,
    };
    FieldView {
        name: f.name.clone(),
        ty: ty.into(),
        required: f.required,
        required_with: f.required_with.clone(),
        values: f.values.clone(),
        translated,
        label: f.label.clone().unwrap_or_else(|| f.name.clone()),
        label_en: f
            .label_en
            .clone()
            .or_else(|| f.label.clone())
            .unwrap_or_else(|| f.name.clone()),
        help,
    }
}

/// The front matter fields the forms show on every page (see docs/content-format.md).
fn common_fields() -> Vec<FieldView> {
    let f =
        |name: &str, ty: &str, required: bool, translated: bool, label: &str, en: &str| FieldView {
            name: name.into(),
            ty: ty.into(),
            required,
            required_with: None,
            values: Vec::new(),
            translated,
            label: label.into(),
            label_en: en.into(),
            help: None,
        };
    vec![
        f("title", "string", true, true, "Tiêu đề", "Title"),
        f("description", "text", false, true, "Tóm tắt", "Summary"),
        f("date", "datetime", false, false, "Ngày đăng", "Date"),
        f("weight", "int", false, false, "Thứ tự", "Order"),
    ]
}
