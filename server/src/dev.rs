//! Live reload for `cms dev`: a script injected into every HTML page, listening on a
//! server-sent event stream; after each rebuild the pages reload, and a failed build shows its
//! errors over the page (the last good build is still served).

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast;

/// The path of the injected script.
pub const SCRIPT_PATH: &str = "/__cms/reload.js";
/// The path of the event stream.
pub const EVENTS_PATH: &str = "/__cms/events";

const SCRIPT: &str = r#"// cms dev: reloads the page after each rebuild; shows build errors over it.
(() => {
  const es = new EventSource('/__cms/events');
  let box = null;
  const show = (text) => {
    if (!box) {
      box = document.createElement('div');
      box.setAttribute('role', 'alert');
      box.id = 'cms-dev-error';
      box.style.cssText = 'position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;background:#1b1b1b;color:#fff;font:14px/1.5 monospace;padding:1rem 1.25rem;z-index:2147483647;white-space:pre-wrap;border-top:4px solid #c8102e';
      document.body.append(box);
    }
    box.textContent = 'cms dev — lỗi khi dựng trang (build failed); trang đang hiển thị bản dựng trước:\n\n' + text;
  };
  es.addEventListener('reload', () => location.reload());
  es.addEventListener('build-error', (e) => show(e.data));
})();
"#;

/// What happened to the last build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevEvent {
    /// A build succeeded: reload.
    Reload,
    /// A build failed, with its messages.
    Failed(String),
    /// The server is stopping: event streams end, so that it need not wait for them.
    Closing,
}

/// Tells open pages about builds.
#[derive(Debug)]
pub struct DevHub {
    tx: broadcast::Sender<DevEvent>,
    /// The error of the last build, if it failed: shown to pages opened since.
    failing: Mutex<Option<String>>,
}

impl Default for DevHub {
    fn default() -> Self {
        DevHub {
            tx: broadcast::channel(16).0,
            failing: Mutex::new(None),
        }
    }
}

impl DevHub {
    /// Announces a build's outcome to every open page.
    pub fn send(&self, e: DevEvent) {
        let mut failing = self.failing.lock().unwrap_or_else(|p| p.into_inner());
        match &e {
            DevEvent::Failed(m) => *failing = Some(m.clone()),
            DevEvent::Reload => *failing = None,
            DevEvent::Closing => {}
        }
        drop(failing);
        // No open page is not an error.
        let _ = self.tx.send(e);
    }

    /// Pages listening now.
    pub fn listeners(&self) -> usize {
        self.tx.receiver_count()
    }
}

/// `GET /__cms/reload.js`.
pub async fn script() -> Response {
    let mut r = SCRIPT.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `GET /__cms/events`: `reload` after each good build, `build-error` after a failed one (and
/// at once, when the last build failed).
pub async fn events(State(state): State<Arc<crate::State>>) -> Response {
    let Some(hub) = state.dev.as_ref() else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    let rx = hub.tx.subscribe();
    let first = hub
        .failing
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .map(|m| Event::default().event("build-error").data(m));
    let initial = futures_util::stream::iter(first.map(Ok::<Event, Infallible>));
    let updates = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(DevEvent::Reload) => {
                    return Some((Ok(Event::default().event("reload").data("")), rx))
                }
                Ok(DevEvent::Failed(m)) => {
                    return Some((Ok(Event::default().event("build-error").data(m)), rx))
                }
                Ok(DevEvent::Closing) | Err(broadcast::error::RecvError::Closed) => return None,
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
            }
        }
    });
    use futures_util::StreamExt;
    Sse::new(initial.chain(updates))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The page with the live-reload script before `</body>`.
pub fn inject(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\"></script>");
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_end_of_body() {
        let out = String::from_utf8(inject(b"<html><body><p>x</p></body></html>")).unwrap();
        assert_eq!(
            out,
            "<html><body><p>x</p><script src=\"/__cms/reload.js\"></script></body></html>"
        );
    }
}
