//! Indexing throughput on a content folder, for tuning:
//!
//!     cargo run --release -p search-index --example index_bench -- CONTENT_DIR OUT_DIR
//!
//! Every Markdown file becomes a document (its title line and its text as the body); prints
//! the documents, the text indexed and the time `write_index` took.

use std::time::Instant;

mod common;

use search_index::{write_index, SearchDoc};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(content), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: index_bench CONTENT_DIR OUT_DIR");
        std::process::exit(2);
    };
    let mut docs = Vec::new();
    for text in common::markdown_texts(content)? {
        let title = text
            .lines()
            .find_map(|l| l.strip_prefix("title = \""))
            .unwrap_or_default()
            .trim_end_matches('"')
            .to_string();
        docs.push(SearchDoc {
            site: "s".into(),
            domain: "s.gov.vn".into(),
            kind: "news".into(),
            lang: "vi".into(),
            path: format!("/{}/", docs.len()),
            title,
            body: text,
            ..SearchDoc::default()
        });
    }
    let bytes: usize = docs.iter().map(|d| d.body.len()).sum();
    let _ = std::fs::remove_dir_all(out);
    let t = Instant::now();
    let stats = write_index(std::path::Path::new(out), &docs, None, "bench")?;
    println!(
        "{} documents, {:.1} MB of text, indexed in {:.2} s ({stats:?})",
        docs.len(),
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
