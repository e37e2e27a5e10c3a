//! Merges the search of built sites into one browser index, as a portal's build does, for
//! `bench/portal-search.sh`: `merge_search OUT NAME=BASE=BUILD_DIR…` writes the merged files
//! under `OUT` and prints the merge's time and size.

use std::path::Path;
use std::time::Instant;

use lore::search::merge::{SiteSearch, merge};
use lore::search::stats::STATS;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().ok_or("usage: merge_search OUT NAME=BASE=BUILD_DIR…")?;
    let mut sites = Vec::new();
    for arg in args {
        let mut parts = arg.splitn(3, '=');
        let (Some(name), Some(base), Some(dir)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("`{arg}` is not NAME=BASE=BUILD_DIR").into());
        };
        let stats = std::fs::read(Path::new(dir).join(STATS))?;
        sites.push(SiteSearch { name: name.to_owned(), base: base.to_owned(), stats });
    }
    let read: usize = sites.iter().map(|s| s.stats.len()).sum();
    let start = Instant::now();
    let merged = merge(&sites)?;
    let took = start.elapsed();
    let mut written = 0;
    for (rel, bytes) in &merged.files {
        let path = Path::new(&out).join(rel);
        std::fs::create_dir_all(path.parent().ok_or("no parent")?)?;
        std::fs::write(&path, bytes)?;
        written += bytes.len();
    }
    println!(
        "merged {} sites ({:.1} MB of statistics): {} pages, {} sections, {} terms in {:.2} s; {} files, {:.1} MB",
        sites.len(),
        read as f64 / 1e6,
        merged.pages,
        merged.records,
        merged.terms,
        took.as_secs_f64(),
        merged.files.len(),
        written as f64 / 1e6
    );
    for (step, took) in &merged.steps {
        println!("  {:>8.2} s  {step}", took.as_secs_f64());
    }
    Ok(())
}
