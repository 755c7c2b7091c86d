//! Wall time and resident memory after each stage of one reconcile run, for
//! profiling by hand:
//!
//! ```sh
//! cargo run --release --example stages -- ROSTER RETURNED [CONFIG]
//! ```

use acp_recon::check::{returned::Returned, roster::Builder};
use acp_recon::reconcile::{self, Ask, Read};
use acp_recon::source::{self, ReadOptions};
use acp_recon::Settings;
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

/// Prints the time each stage of `reconcile` took.
struct Timer {
    last: std::sync::Mutex<(Instant, String)>,
}

impl Timer {
    fn new() -> Timer {
        Timer {
            last: std::sync::Mutex::new((Instant::now(), String::new())),
        }
    }
}

impl acp_recon::progress::Progress for Timer {
    fn stage(&self, name: &str) {
        let mut last = self.last.lock().unwrap();
        if !last.1.is_empty() {
            let took = last.0.elapsed().as_secs_f64();
            println!("  {:<30} {took:>8.3} s  {}", last.1, memory());
        }
        *last = (Instant::now(), name.to_string());
    }
}

fn main() -> Result<(), acp_recon::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let settings = match args.get(2) {
        Some(config) => Settings::load(Path::new(config))?,
        None => Settings::default(),
    };
    // The two files one after the other, to time each (a run reads them
    // side by side).
    let options = ReadOptions {
        sheet: None,
        aliases: settings.aliases.clone(),
    };
    let t = Instant::now();
    let (source, roster) = source::read(Path::new(&args[0]), &options, |s| {
        Builder::open(s, &settings, false)
    })?;
    println!(
        "read roster    {:>8.3} s  {}",
        t.elapsed().as_secs_f64(),
        memory()
    );
    if std::env::var_os("STAGES_ROSTER_ONLY").is_some() {
        return Ok(());
    }
    let t = Instant::now();
    let returned = source::read(Path::new(&args[1]), &options, |s| {
        Returned::open(s, &settings)
    })?;
    println!(
        "read returned  {:>8.3} s  {}",
        t.elapsed().as_secs_f64(),
        memory()
    );
    let read = Read {
        roster: (source, roster.finish()),
        returned,
        sent: None,
        bridge: None,
    };
    let t = Instant::now();
    let timer = Timer::new();
    let outcome = reconcile::reconcile(read, Ask::NOBODY, &settings, &timer)?;
    acp_recon::progress::Progress::stage(&timer, "");
    println!(
        "reconcile      {:>8.3} s  {}",
        t.elapsed().as_secs_f64(),
        memory()
    );
    let t = Instant::now();
    let outcome = acp_recon::run::finish(
        outcome,
        &acp_recon::run::Nothing,
        &acp_recon::progress::Quiet,
    )?;
    println!(
        "causes         {:>8.3} s  {}",
        t.elapsed().as_secs_f64(),
        memory()
    );
    let outputs = acp_recon::run::outputs(acp_recon::config::Target::Acp, false);
    let t = Instant::now();
    for o in outputs {
        let t = Instant::now();
        let mut out = std::io::BufWriter::new(std::io::sink());
        o.write(&outcome, &mut out)
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
    Ok(())
}
