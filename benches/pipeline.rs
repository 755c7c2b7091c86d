//! One benchmark group per stage (read, normalise and validate, reconcile,
//! write) and one end to end, on seeded data for 100k people.

#[path = "support/generator.rs"]
mod generator;

use acp_recon::reconcile::{reconcile, Inputs};
use acp_recon::source::{csv, decode::decode, Table};
use acp_recon::{validate, Settings};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::path::Path;

const PEOPLE: usize = 100_000;

fn data() -> (Vec<u8>, Vec<u8>) {
    let (mut roster, mut returned) = (Vec::new(), Vec::new());
    generator::generate(PEOPLE, 42, &mut roster, &mut returned).unwrap();
    (roster, returned)
}

fn settings() -> Settings {
    let text = "[provider]\nname = \"Fabrikam Conferencing\"\ndomain = \"acp.fabrikam.example\"\ndefault_region = \"US\"\n";
    Settings::parse(text, Path::new("bench.toml")).unwrap()
}

fn read(name: &str, bytes: &[u8]) -> Table {
    csv::parse(name.into(), decode(bytes.to_vec())).unwrap()
}

fn stages(c: &mut Criterion) {
    let (roster_bytes, returned_bytes) = data();
    let settings = settings();
    let roster = read("roster.csv", &roster_bytes);
    let returned = read("returned.csv", &returned_bytes);

    let mut group = c.benchmark_group("stages");
    group.sample_size(10);
    group.throughput(Throughput::Elements(PEOPLE as u64));
    group.bench_function("read", |b| b.iter(|| read("returned.csv", &returned_bytes)));
    group.bench_function("normalise_validate", |b| {
        b.iter(|| validate::validate(&returned, &settings).unwrap())
    });
    let inputs = Inputs {
        roster,
        returned,
        sent: None,
    };
    // A run takes its inputs: each gets a copy, made outside the timing.
    group.bench_function("reconcile", |b| {
        b.iter_batched(
            || inputs.clone(),
            |inputs| reconcile(inputs, &settings).unwrap(),
            BatchSize::LargeInput,
        )
    });
    let outcome = reconcile(inputs, &settings).unwrap();
    group.bench_function("write", |b| {
        b.iter(|| {
            for output in acp_recon::output::reconcile_outputs() {
                output.write(&outcome, &mut std::io::sink()).unwrap();
            }
        })
    });
    group.bench_function("end_to_end", |b| {
        b.iter(|| {
            let inputs = Inputs {
                roster: read("roster.csv", &roster_bytes),
                returned: read("returned.csv", &returned_bytes),
                sent: None,
            };
            let outcome = reconcile(inputs, &settings).unwrap();
            for output in acp_recon::output::reconcile_outputs() {
                output.write(&outcome, &mut std::io::sink()).unwrap();
            }
        })
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
