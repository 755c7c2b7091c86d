//! Wall time and resident memory after each stage of one reconcile run, for
//! profiling by hand:
//!
//! ```sh
//! cargo run --release --example stages -- ROSTER RETURNED [CONFIG]
//! ```

use acp_recon::reconcile::{reconcile, Inputs};
use acp_recon::{output, source, Settings};
use std::path::Path;
use std::time::Instant;

/// Resident memory now and at its peak, from /proc (Linux only).
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or("?".to_string(), |kb| format!("{} MB", kb / 1024))
    };
    format!("rss {:>8}  peak {:>8}", field("VmRSS:"), field("VmHWM:"))
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), acp_recon::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let settings = match args.get(2) {
        Some(config) => Settings::load(Path::new(config))?,
        None => Settings::default(),
    };
    let t = Instant::now();
    let roster = source::read(Path::new(&args[0]))?;
    println!(
        "read roster    {:>8.3} s  {}",
        t.elapsed().as_secs_f64(),
        memory()
    );
    let t = Instant::now();
    let returned = source::read(Path::new(&args[1]))?;
    println!(
        "read returned  {:>8.3} s  {}",
        t.elapsed().as_secs_f64(),
        memory()
    );
    let inputs = Inputs {
        roster,
        returned,
        sent: None,
    };
    let t = Instant::now();
    let outcome = reconcile(inputs, &settings)?;
    println!(
        "reconcile      {:>8.3} s  {}",
        t.elapsed().as_secs_f64(),
        memory()
    );
    let t = Instant::now();
    for o in output::reconcile_outputs() {
        let t = Instant::now();
        o.write(&outcome, &mut std::io::sink())
            .map_err(|source| acp_recon::Error::Write {
                path: o.file_name().into(),
                source,
            })?;
        println!(
            "  {:<14} {:>8.3} s",
            o.file_name(),
            t.elapsed().as_secs_f64()
        );
    }
    println!(
        "write (sink)   {:>8.3} s  {}",
        t.elapsed().as_secs_f64(),
        memory()
    );
    let t = Instant::now();
    drop(outcome);
    println!(
        "drop           {:>8.3} s  {}",
        t.elapsed().as_secs_f64(),
        memory()
    );
    Ok(())
}
