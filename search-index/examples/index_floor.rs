//! What indexing costs at the least, part by part, on a content folder:
//!
//!     cargo run --release -p search-index --example index_floor -- CONTENT_DIR
//!
//! Times, one after the other and each on one thread: reading the Markdown files; folding
//! their text as the index writer does ([`search_index::analysis::text_words`]); and tantivy
//! alone writing the folded words, split on spaces, with positions, into an index of one
//! field (one indexing thread, the build's heap, no merges). The last is the floor of any
//! index of every word of the text with tantivy: no analysis, no other field. Prints one JSON
//! line.

use std::time::Instant;

mod common;

use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{doc, Index, IndexWriter};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(content) = std::env::args().nth(1) else {
        eprintln!("usage: index_floor CONTENT_DIR");
        std::process::exit(2);
    };
    let t = Instant::now();
    let texts = common::markdown_texts(&content)?;
    let read = t.elapsed().as_secs_f64();
    let bytes: usize = texts.iter().map(String::len).sum();

    let t = Instant::now();
    let folded: Vec<String> = texts
        .iter()
        .map(|s| search_index::analysis::text_words(s).folded)
        .collect();
    let fold = t.elapsed().as_secs_f64();
    let words: usize = folded.iter().map(|s| s.split(' ').count()).sum();

    let mut b = Schema::builder();
    let body = b.add_text_field(
        "body",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("ws")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let dir = tempfile::tempdir()?;
    let index = Index::create_in_dir(dir.path(), b.build())?;
    index
        .tokenizers()
        .register("ws", TextAnalyzer::from(WhitespaceTokenizer::default()));
    let t = Instant::now();
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 40_000_000)?;
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    for f in folded {
        writer.add_document(doc!(body => f))?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let tantivy = t.elapsed().as_secs_f64();

    // One JSON line, read by scripts/bench-search.
    println!(
        "{{\"texts\":{},\"bytes\":{bytes},\"words\":{words},\"read_s\":{read:.3},\
         \"fold_s\":{fold:.3},\"tantivy_s\":{tantivy:.3},\"ns_per_word\":{:.1}}}",
        texts.len(),
        tantivy * 1e9 / words as f64
    );
    Ok(())
}
