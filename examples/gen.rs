//! Writes a seeded roster and returned file for benchmarks and by-hand runs,
//! in one of the shapes `typical`, `noisy` or `all-wrong`:
//!
//! ```sh
//! cargo run --release --example gen -- --people 1000000 --profile noisy --out /tmp/acp-1m
//! ```

#[path = "../benches/support/generator.rs"]
mod generator;

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let mut people = 100_000usize;
    let mut seed = 42u64;
    let mut profile = generator::Profile::Typical;
    let mut out = PathBuf::from("gen");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_default();
        match arg.as_str() {
            "--people" => people = value.parse().expect("--people takes a number"),
            "--seed" => seed = value.parse().expect("--seed takes a number"),
            "--profile" => {
                profile = generator::Profile::parse(&value)
                    .expect("--profile takes typical, noisy, all-wrong, typos or teams")
            }
            "--out" => out = PathBuf::from(value),
            other => {
                panic!("unknown argument {other}; use --people N --seed S --profile P --out DIR")
            }
        }
    }
    std::fs::create_dir_all(&out)?;
    let mut roster = BufWriter::new(File::create(out.join("roster.csv"))?);
    let mut returned = BufWriter::new(File::create(out.join("returned.csv"))?);
    generator::generate(people, seed, profile, &mut roster, &mut returned)?;
    if profile == generator::Profile::Teams {
        let mut bridge = BufWriter::new(File::create(out.join("bridge.csv"))?);
        generator::write_bridge(&mut bridge)?;
    }
    println!(
        "wrote {} and {} ({}, {people} people)",
        out.join("roster.csv").display(),
        out.join("returned.csv").display(),
        profile.name()
    );
    Ok(())
}
