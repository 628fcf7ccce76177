//! `cms search`: the network's search index from the command line.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use search_index::{Notice, Request, SearchIndex, Sort};

/// Search the built network.
#[derive(Args)]
pub struct SearchArgs {
    /// What to look for: words (with or without diacritics), "quoted phrases", document numbers.
    query: String,
    /// The output folder of `cms build`.
    #[arg(long, default_value = "public")]
    out: PathBuf,
    /// Only this site (id).
    #[arg(long)]
    site: Option<String>,
    /// Only this kind (legal, procedure, news…).
    #[arg(long)]
    kind: Option<String>,
    /// Only this language.
    #[arg(long)]
    lang: Option<String>,
    /// Only this year.
    #[arg(long)]
    year: Option<String>,
    /// Only pages with this taxonomy term, as TAXONOMY=TERM (`topics=Chuyển đổi số`).
    #[arg(long, value_name = "TAXONOMY=TERM")]
    term: Option<String>,
    /// Order of the results.
    #[arg(long, value_enum, default_value = "relevance")]
    sort: SortArg,
    /// Page of results, from 1.
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// Results per page (at most 50).
    #[arg(long, default_value_t = 10)]
    per_page: usize,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum SortArg {
    Relevance,
    Date,
}

pub fn run(a: &SearchArgs) -> Result<()> {
    let dir = a.out.join("search/index");
    let index = SearchIndex::open(&dir)
        .with_context(|| format!("opening the search index of {}", a.out.display()))?;
    let term = match &a.term {
        Some(t) => Some(
            t.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .with_context(|| {
                    format!("--term {t}: write it as TAXONOMY=TERM, e.g. topics=Chuyển đổi số")
                })?,
        ),
        None => None,
    };
    let req = Request {
        q: a.query.clone(),
        site: a.site.clone(),
        kind: a.kind.clone(),
        lang: a.lang.clone(),
        year: a.year.clone(),
        term,
        sort: match a.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
        },
        page: a.page,
        per_page: a.per_page,
    };
    let r = index.search(&req).context("searching")?;
    if a.json {
        return print(&format!("{}\n", serde_json::to_string_pretty(&r)?));
    }
    if let Some(n) = r.notice {
        eprintln!(
            "{}",
            match n {
                Notice::Empty =>
                    "Nothing to search for: type some words, a \"phrase\" or a document number.",
                Notice::TooLong => "The query is longer than 1,000 characters.",
                Notice::NoWords => "The query has no letters or digits.",
            }
        );
        if r.total == 0 {
            return Ok(());
        }
    }
    let tty = std::io::stdout().is_terminal();
    if r.total == 0 {
        return print(&format!("No results for “{}”.\n", r.q));
    }
    let mut out = format!(
        "{} results for “{}”{} (page {} of {})\n",
        r.total,
        r.q,
        if r.relaxed {
            ", pages with some of the words"
        } else {
            ""
        },
        r.page,
        r.pages
    );
    let first = (r.page - 1) * r.per_page + 1;
    for (i, h) in r.hits.iter().enumerate() {
        out.push_str(&format!(
            "{:>3}. {}\n     {} · {} · {}\n     {}\n",
            first + i,
            plain(&h.title_html, tty),
            h.url,
            h.kind,
            h.site,
            plain(&h.snippet_html, tty)
        ));
    }
    print(&out)
}

/// Writes `text` to standard output. A reader that stops early (`cms search … | head`) is not
/// an error: where `println!` would panic, the rest is dropped.
fn print(text: &str) -> Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("writing the results")
        }
        _ => Ok(()),
    }
}

/// A snippet's HTML as terminal text: the matched words in bold on a terminal.
fn plain(html: &str, tty: bool) -> String {
    let (on, off) = if tty {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    html.replace("<mark>", on)
        .replace("</mark>", off)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}
