//! References to other pages in the edit form (`page`, `pages` fields), chosen by search: the
//! published pages of the user's site and of the portal, found through the read API's listing
//! with `q` (`GET /api/v1/sites/{site}/content?q=`). Without JavaScript, "Tìm trang" posts the
//! form and the results come back beside the field as buttons, each of which posts the form
//! again with its reference put in; `edit.js` asks `GET /admin/sites/{site}/pick?q=` (this
//! module's JSON) as the user types.

use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use ssg::api::{ContentPage, SitesDoc};

use super::form::{posted, Input, Posted};
use crate::admin::cx::{AdminError, Cx};
use crate::admin::page_info::enc;
use crate::api::{KindsView, Problem};

/// How many results each site gives.
const PER_SITE: usize = 10;

/// A search of a reference field, and what it found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Search {
    /// The words looked for.
    pub q: String,
    /// The pages found.
    pub hits: Vec<Hit>,
    /// Why nothing could be looked for (no search index yet, a bad query).
    pub failed: Option<String>,
}

/// A page found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hit {
    /// The value the field takes: `@/<site>/<path>.md`.
    pub reference: String,
    /// Its title.
    pub title: String,
    /// Its site's id.
    pub site: String,
    /// Its kind (`legal`…).
    pub kind: String,
    /// Its date, `2024-05-01…`, if any.
    pub date: Option<String>,
}

/// The published pages matching `q` on `site` and on the portal (the site's first).
pub async fn find(cx: &Cx, site: &str, q: &str) -> Result<Vec<Hit>, Problem> {
    let sites: SitesDoc = cx.api.get("/sites").await?;
    let mut ids = vec![site.to_string()];
    if let Some(portal) = sites.sites.first().filter(|p| p.id != site) {
        ids.push(portal.id.clone());
    }
    let mut hits = Vec::new();
    for id in ids {
        let path = format!(
            "/sites/{}/content?q={}&per_page={PER_SITE}",
            enc(&id),
            enc(q)
        );
        let page: ContentPage = cx.api.get(&path).await?;
        hits.extend(page.items.into_iter().map(|i| Hit {
            reference: format!("@/{id}/{}", i.path),
            title: i.title,
            site: id.clone(),
            kind: i.kind,
            date: i.date.map(|d| d.chars().take(10).collect()),
        }));
    }
    Ok(hits)
}

/// What a posted form asks of its reference fields: `find=<field>` searches it for its
/// `q.<field>`; `pick=<field> <reference>` puts the reference in (the only value of a `page`
/// field, one more line of a `pages` field). Returns whether it asked anything (the form is
/// then shown again, not saved).
pub fn apply(form: &mut Posted, kinds: &KindsView) -> Option<String> {
    if let Some(pick) = posted(form, "pick").map(str::to_string) {
        let (name, reference) = pick.split_once(' ')?;
        let many = field_type(form, kinds, name) == Some("pages");
        let current = posted(form, name).unwrap_or_default().trim().to_string();
        let value = match many && !current.is_empty() {
            true if current.lines().any(|l| l.trim() == reference) => current,
            true => format!("{current}\n{reference}"),
            false => reference.to_string(),
        };
        form.retain(|(k, _)| k != name);
        form.push((name.to_string(), value));
        return Some(name.to_string());
    }
    posted(form, "find").map(str::to_string)
}

/// The search of the field `name` the form asked for, shown beside it.
pub async fn search_of(cx: &Cx, site: &str, form: &Posted, name: &str) -> Search {
    let q = posted(form, &format!("q.{name}"))
        .unwrap_or_default()
        .trim()
        .to_string();
    if q.is_empty() {
        return Search::default();
    }
    match find(cx, site, &q).await {
        Ok(hits) => Search {
            q,
            hits,
            failed: None,
        },
        Err(p) => Search {
            q,
            hits: Vec::new(),
            failed: Some(p.detail),
        },
    }
}

/// Puts `search` on the input called `name`.
pub fn show(inputs: &mut [Input], name: &str, search: Search) {
    if let Some(i) = inputs.iter_mut().find(|i| i.name == name) {
        i.search = Some(search);
    }
}

/// The type of the posted form's field `name` (`k.<field>` of its kind).
fn field_type<'a>(form: &Posted, kinds: &'a KindsView, name: &str) -> Option<&'a str> {
    let field = name.strip_prefix("k.")?;
    let kind = super::form::kind_of(kinds, posted(form, "kind").unwrap_or("page"))?;
    kind.fields
        .iter()
        .find(|f| f.name == field)
        .map(|f| f.ty.as_str())
}

/// `?q=` of the picker's JSON.
#[derive(Debug, Default, Deserialize)]
pub struct PickQuery {
    #[serde(default)]
    q: String,
}

/// What `edit.js` gets.
#[derive(Debug, Serialize)]
struct Found {
    hits: Vec<Hit>,
}

/// `GET /admin/sites/{site}/pick?q=`: the pages matching `q`, as JSON, for the user of a
/// site (the others get the API's 403: the site's kinds are read first).
pub async fn pick_json(
    cx: Cx,
    Path(site): Path<String>,
    Query(q): Query<PickQuery>,
) -> Result<Response, AdminError> {
    let fail = |p: Problem| AdminError(p.into_response());
    let _: KindsView = cx
        .api
        .get(&format!("/sites/{}/kinds", enc(&site)))
        .await
        .map_err(fail)?;
    let q = q.q.trim();
    let hits = match q.is_empty() {
        true => Vec::new(),
        false => find(&cx, &site, q).await.map_err(fail)?,
    };
    Ok(Json(Found { hits }).into_response())
}
