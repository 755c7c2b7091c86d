//! One benchmark group per stage (read, reconcile, write) and one end to
//! end, for each data shape of the generator (typical, noisy, all-wrong,
//! typos, and teams for the Teams target with its bridge), on 100,000 people; `ACP_BENCH_PEOPLE=1000000 cargo bench` for more.
//! Whole runs of the binary against DuckDB are timed by
//! `benches/measure.sh` (docs/PERFORMANCE.md).

#[path = "support/generator.rs"]
mod generator;

use acp_recon::check::{bridge::Inventory, returned::Returned, roster::Builder};
use acp_recon::config::Target;
use acp_recon::reconcile::{self, Ask, Outcome, Read};
use acp_recon::source::{self, ReadOptions};
use acp_recon::Settings;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use generator::Profile;
use std::path::Path;

fn people() -> usize {
    std::env::var("ACP_BENCH_PEOPLE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}

fn settings(profile: Profile) -> Settings {
    let mut settings = Settings::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/acp.toml"
    )))
    .unwrap();
    if profile == Profile::Teams {
        settings.target = Target::Teams;
    }
    settings
}

fn read(settings: &Settings, roster: &[u8], returned: &[u8], bridge: &[u8]) -> Read {
    let options = ReadOptions::default();
    let roster = source::read_bytes("roster.csv", roster, &options, |s| {
        Builder::open(s, settings, false)
    })
    .unwrap();
    let returned = source::read_bytes("returned.csv", returned, &options, |s| {
        Returned::open(s, settings)
    })
    .unwrap();
    let bridge = (settings.target == Target::Teams).then(|| {
        source::read_bytes("bridge.csv", bridge, &options, |s| {
            Inventory::open(s, settings)
        })
        .unwrap()
    });
    Read {
        roster: (roster.0, roster.1.finish()),
        returned,
        sent: None,
        bridge,
    }
}

use acp_recon::run::outputs;

fn reconcile(read: Read, settings: &Settings) -> Outcome {
    let quiet = &acp_recon::progress::Quiet;
    let outcome = reconcile::reconcile(read, Ask::NOBODY, settings, quiet).unwrap();
    acp_recon::run::finish(outcome, &acp_recon::run::Nothing, quiet).unwrap()
}

fn write(outcome: &Outcome, settings: &Settings) {
    for output in outputs(settings.target, false) {
        let mut sink = std::io::BufWriter::new(std::io::sink());
        output.write(outcome, &mut sink).unwrap();
    }
}

fn stages(c: &mut Criterion) {
    let n = people();
    let mut bridge = Vec::new();
    generator::write_bridge(&mut bridge).unwrap();
    for profile in Profile::ALL {
        let settings = settings(profile);
        let (mut roster, mut returned) = (Vec::new(), Vec::new());
        generator::generate(n, 42, profile, &mut roster, &mut returned).unwrap();
        let read = |settings: &Settings| read(settings, &roster, &returned, &bridge);
        let mut group = c.benchmark_group(format!("{}-{n}", profile.name()));
        group.sample_size(10);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function("read", |b| b.iter(|| read(&settings)));
        group.bench_function("reconcile", |b| {
            b.iter_batched(
                || read(&settings),
                |read| reconcile(read, &settings),
                BatchSize::LargeInput,
            )
        });
        let outcome = reconcile(read(&settings), &settings);
        group.bench_function("write", |b| b.iter(|| write(&outcome, &settings)));
        group.bench_function("end_to_end", |b| {
            b.iter(|| {
                let inputs = read(&settings);
                write(&reconcile(inputs, &settings), &settings);
            })
        });
        group.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
