//! Merges the search of built sites into one browser index, as a portal's build does, for
//! `bench/portal-search.sh`: `merge_search OUT NAME=BASE=BUILD_DIR…` writes the merged files
//! under `OUT` (on both cores: 100,000 small files) and prints the merge's time and size.
//!
//! With `MERGE_DIGEST=1` it also prints two digests of the files, to compare two merges
//! without keeping their output: of the bytes as written, and of what they inflate to (fragment
//! packs by number, the head without the names of their groups: these name the compressed
//! bytes). `OUT` `-` writes nothing.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use lore::search::merge::{PORTAL_HEAD, SiteSearch, merge};
use lore::search::stats::STATS;
use rayon::prelude::*;
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

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
    println!(
        "merged {} sites ({:.1} MB of statistics): {} pages, {} sections, {} terms in {:.2} s; {} files, {:.1} MB",
        sites.len(),
        read as f64 / 1e6,
        merged.pages,
        merged.records,
        merged.terms,
        took.as_secs_f64(),
        merged.files.len(),
        merged.files.iter().map(|(_, bytes)| bytes.len()).sum::<usize>() as f64 / 1e6
    );
    for (step, took) in &merged.steps {
        println!("  {:>8.2} s  {step}", took.as_secs_f64());
    }
    if std::env::var_os("MERGE_DIGEST").is_some() {
        let (exact, inflated) = digests(&merged.files)?;
        println!("digest {exact:032x}, inflated {inflated:032x}");
    }
    if out == "-" {
        return Ok(());
    }
    let start = Instant::now();
    // Tiered postings files are named by their bytes: equal names, equal files, written once.
    let mut seen = BTreeSet::new();
    let files: Vec<&(String, Vec<u8>)> = merged.files.iter().filter(|(rel, _)| seen.insert(rel)).collect();
    let folders: BTreeSet<&Path> = files.iter().filter_map(|(rel, _)| Path::new(rel).parent()).collect();
    for folder in folders {
        std::fs::create_dir_all(Path::new(&out).join(folder))?;
    }
    let written: usize = files
        .par_iter()
        .map(|(rel, bytes)| std::fs::write(Path::new(&out).join(rel), bytes).map(|()| bytes.len()))
        .sum::<Result<usize, _>>()?;
    println!(
        "  {:>8.2} s  write {} files, {:.1} MB",
        start.elapsed().as_secs_f64(),
        files.len(),
        written as f64 / 1e6
    );
    Ok(())
}

/// Digests of `files`: as they are, and inflated (see the module's doc).
fn digests(files: &[(String, Vec<u8>)]) -> Result<(u128, u128), Box<dyn std::error::Error>> {
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted.dedup_by(|a, b| a.0 == b.0);
    let mut exact = Xxh3::new();
    for (rel, bytes) in &sorted {
        exact.update(rel.as_bytes());
        exact.update(&xxh3_128(bytes).to_le_bytes());
    }
    let mut inflated: Vec<(String, u128)> = sorted
        .par_iter()
        .map(|(rel, gz)| {
            let mut raw = lore::search::stats::inflate(gz, usize::MAX)?;
            let mut name = rel.clone();
            if let Some((_, n)) = rel.strip_prefix("search/f/").and_then(|r| r.rsplit_once('-')) {
                name = format!("search/f/{n}");
            }
            if rel == PORTAL_HEAD {
                let mut head: serde_json::Value = serde_json::from_slice(&raw).map_err(|e| e.to_string())?;
                head["fragments"]["groups"] = serde_json::Value::Null;
                raw = serde_json::to_vec(&head).map_err(|e| e.to_string())?;
            }
            Ok((name, xxh3_128(&raw)))
        })
        .collect::<Result<_, String>>()?;
    inflated.sort();
    let mut all = Xxh3::new();
    for (name, hash) in &inflated {
        all.update(name.as_bytes());
        all.update(&hash.to_le_bytes());
    }
    Ok((exact.digest128(), all.digest128()))
}
