//! The CDN purge list: the public URL of every changed file, and its delivery to a purge
//! webhook.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Serialize;

/// The public URL of an output path, if it is a site's file (`sites/<domain>/<path>`):
/// `index.html` stands for its folder, and a precompressed variant for its original.
pub fn url_of(path: &str) -> Option<String> {
    let rest = path.strip_prefix("sites/")?;
    let (domain, file) = rest.split_once('/')?;
    let file = file
        .strip_suffix(".br")
        .or_else(|| file.strip_suffix(".gz"))
        .unwrap_or(file);
    let file = match file.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => dir,
        _ => file,
    };
    Some(format!("https://{domain}/{file}"))
}

/// The URLs of `paths`, sorted, each once.
pub fn urls<'a>(paths: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let set: BTreeSet<String> = paths.into_iter().filter_map(url_of).collect();
    set.into_iter().collect()
}

/// What the webhook receives.
#[derive(Debug, Serialize)]
struct PurgeRequest<'a> {
    /// Every changed URL.
    urls: &'a [String],
}

/// POSTs `urls` as JSON (`{"urls": [...]}`) to `webhook`, three times at most (1 s, then
/// 3 s apart); the last failure, if all fail.
pub async fn post(webhook: &str, urls: &[String]) -> Result<(), String> {
    let body = serde_json::to_vec(&PurgeRequest { urls }).map_err(|e| e.to_string())?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| e.to_string())?;
    let mut wait = Duration::from_secs(1);
    let mut last = String::new();
    for attempt in 1..=3 {
        let sent = client
            .post(webhook)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => return Ok(()),
            Ok(r) => last = format!("the webhook answered {}", r.status()),
            Err(e) => last = format!("{e}"),
        }
        if attempt < 3 {
            tokio::time::sleep(wait).await;
            wait *= 3;
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_public_urls() {
        assert_eq!(
            url_of("sites/mt.gov.vn/index.html").unwrap(),
            "https://mt.gov.vn/"
        );
        assert_eq!(
            url_of("sites/mt.gov.vn/tin-tuc/a/index.html.br").unwrap(),
            "https://mt.gov.vn/tin-tuc/a/"
        );
        assert_eq!(
            url_of("sites/mt.gov.vn/assets/x.css.gz").unwrap(),
            "https://mt.gov.vn/assets/x.css"
        );
        assert_eq!(
            url_of("sites/d/notindex.html").unwrap(),
            "https://d/notindex.html"
        );
        assert_eq!(url_of("search/x"), None);
        let u = urls([
            "sites/d/index.html",
            "sites/d/index.html.gz",
            "sites/d/rss.xml",
        ]);
        assert_eq!(u, ["https://d/", "https://d/rss.xml"]);
    }
}
