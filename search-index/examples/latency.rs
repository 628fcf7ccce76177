//! Query latency of a built index, for `scripts/bench`:
//!
//!     cargo run --release -p search-index --example latency -- public/search/index queries.txt
//!
//! Runs every query of the file (one per line) once to warm the page cache, then each again,
//! timed, as the server would (first page of 10, with facets and snippets), and prints
//! percentiles in milliseconds as one JSON line.

use std::time::Instant;

use search_index::{Request, SearchIndex};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(file)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: latency INDEX_DIR QUERIES_FILE");
        std::process::exit(2);
    };
    let index = SearchIndex::open(std::path::Path::new(dir))?;
    let queries: Vec<String> = std::fs::read_to_string(file)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    if queries.is_empty() {
        return Err("no queries".into());
    }
    let req = |q: &str| Request {
        q: q.to_string(),
        page: 1,
        per_page: 10,
        ..Request::default()
    };
    let mut hits = 0usize;
    for q in &queries {
        hits += usize::from(index.search(&req(q))?.total > 0);
    }
    let mut ms = Vec::with_capacity(queries.len());
    for q in &queries {
        let t = Instant::now();
        let r = index.search(&req(q))?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(r);
    }
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
    let mean = ms.iter().sum::<f64>() / ms.len() as f64;
    println!(
        "{{\"queries\": {}, \"with_results\": {hits}, \"documents\": {}, \"p50_ms\": {:.3}, \"p90_ms\": {:.3}, \"p99_ms\": {:.3}, \"max_ms\": {:.3}, \"mean_ms\": {:.3}}}",
        ms.len(),
        index.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0),
        mean
    );
    Ok(())
}
