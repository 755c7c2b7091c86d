//! The `export` run: read the roster on its own, choose who to send, split
//! them into waves when asked, check each batch against the ledger, write
//! the files and the list of people left out as one set, and record each
//! batch.

use crate::check::roster::Builder;
use crate::config::Settings;
use crate::error::Error;
use crate::export::{self, Export, ExportCsv, ExportXlsx, Exported, Part, Wave, SHEET_ROWS};
use crate::ledger::Ledger;
use crate::normalize::text::key;
use crate::output::{self, Output, Seal, Sealing, Staged};
use crate::reconcile;
use crate::report::excluded::ExcludedCsv;
use crate::source::{self, digest, ReadOptions};
use std::path::{Path, PathBuf};

/// What `export` is asked to do.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub roster: &'a Path,
    /// The file to write (`.xlsx` or `.csv`); with `batch_size`, the name
    /// its waves are numbered after.
    pub out: &'a Path,
    pub sheet: Option<&'a str>,
    /// The batch's name (default: the output's stem).
    pub batch: Option<&'a str>,
    /// Forget an earlier batch of the same name with other people.
    pub replace_batch: bool,
    /// At most this many people a file, each file its own batch.
    pub batch_size: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Csv,
}

/// The whole export: refused before anything is written when the output
/// cannot be written as asked, or a batch name is taken by other people.
pub fn export(
    request: &Request<'_>,
    settings: &Settings,
    ledger: Option<Ledger>,
) -> Result<Exported, Error> {
    let out = request.out;
    let format = match out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .as_deref()
    {
        Some("xlsx") => Format::Xlsx,
        Some("csv") => Format::Csv,
        _ => return Err(Error::ExportFormat { path: out.into() }),
    };
    let stem = out
        .file_stem()
        .map_or("export".into(), |s| s.to_string_lossy().into_owned());
    let extension = if format == Format::Xlsx {
        "xlsx"
    } else {
        "csv"
    };
    let options = ReadOptions {
        sheet: request.sheet.map(String::from),
        aliases: settings.aliases.clone(),
    };
    let (source, builder) = source::read(request.roster, &options, |s| {
        Builder::open(s, settings, true)
    })?;
    let roster = reconcile::roster_alone(source, builder.finish(), settings);
    let export = export::choose(roster, settings);
    let mut waves = waves(request, &export, &stem, extension);
    if format == Format::Xlsx {
        if let Some(big) = waves.iter().find(|w| w.part.people.len() > SHEET_ROWS) {
            return Err(Error::TooManyForSheet {
                path: out.into(),
                people: big.part.people.len(),
                most: SHEET_ROWS,
            });
        }
    }
    if let Some(ledger) = &ledger {
        for wave in &mut waves {
            wave.same = same_batch(ledger, &export, wave, request.replace_batch)?;
        }
    }
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let files: Vec<Box<dyn Output<Export>>> = waves
        .iter()
        .map(|w| match format {
            Format::Xlsx => Box::new(ExportXlsx(w.part.clone())) as Box<dyn Output<Export>>,
            Format::Csv => Box::new(ExportCsv(w.part.clone())),
        })
        .collect();
    let excluded = ExcludedCsv(format!("{stem}-excluded.csv"));
    let mut outputs: Vec<&dyn Output<Export>> = files.iter().map(|f| f.as_ref()).collect();
    outputs.push(&excluded);
    let recorded = ledger.is_some();
    let path = ledger.as_ref().map(|l| super::deliver::absolute(l.path()));
    let mut seal = ExportSeal {
        ledger,
        path: path.clone().unwrap_or_default(),
        token: super::deliver::token(),
        export: &export,
        waves: &waves,
        out,
    };
    let sealing = Sealing {
        seal: match &path {
            Some(_) => Some(&mut seal),
            None => None,
        },
        sealed: &super::deliver::sealed,
    };
    let written = output::write_all(dir, &export, &outputs, sealing)?;
    for (wave, path) in waves.iter_mut().zip(&written) {
        wave.path = path.clone();
    }
    Ok(Exported {
        excluded: written.last().cloned().unwrap_or_default(),
        export,
        waves,
        recorded,
    })
}

/// The ledger of an export as a seal: each new batch recorded from the
/// file written for it, then committed, once the files are in place.
struct ExportSeal<'a> {
    ledger: Option<Ledger>,
    path: PathBuf,
    token: String,
    export: &'a Export,
    waves: &'a [Wave],
    out: &'a Path,
}

impl Seal for ExportSeal<'_> {
    fn token(&self) -> String {
        format!("{}\t{}", self.path.display(), self.token)
    }

    fn seal(&mut self, staged: &[Staged]) -> Result<(), Error> {
        let Some(mut ledger) = self.ledger.take() else {
            return Ok(());
        };
        for (wave, staged) in self.waves.iter().zip(staged).filter(|(w, _)| !w.same) {
            let bytes = std::fs::read(&staged.target).map_err(|e| Error::Read {
                path: staged.target.clone(),
                source: e,
            })?;
            // Named as the file is given: beside --out.
            let file = match self.out.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.join(&wave.part.name),
                _ => PathBuf::from(&wave.part.name),
            };
            let people = &self.export.people[wave.part.people.clone()];
            ledger.record_batch(
                &wave.batch,
                &file.display().to_string(),
                &digest::sha256(&bytes),
                people,
                &self.token,
            )?;
        }
        ledger.commit()
    }
}

/// The files and batches of an export: one, or waves of `batch_size`
/// people in key order (`wave-001.xlsx`, … for `wave.xlsx`), each its own
/// batch named after its file (or after `--batch`, numbered the same way).
fn waves(request: &Request<'_>, export: &Export, stem: &str, extension: &str) -> Vec<Wave> {
    let total = export.people.len();
    let batch = request.batch.unwrap_or(stem);
    let wave = |batch: String, name: String, people| Wave {
        batch,
        part: Part { name, people },
        same: false,
        path: PathBuf::new(),
    };
    match request.batch_size {
        None => vec![wave(
            batch.to_string(),
            format!("{stem}.{extension}"),
            0..total,
        )],
        Some(size) => {
            let size = size.max(1);
            (0..total.div_ceil(size).max(1))
                .map(|i| {
                    let people = i * size..total.min((i + 1) * size);
                    let n = i + 1;
                    wave(
                        format!("{batch}-{n:03}"),
                        format!("{stem}-{n:03}.{extension}"),
                        people,
                    )
                })
                .collect()
        }
    }
}

/// Whether the ledger has this batch with the same people already (then
/// it is the same batch). Other people under the name are refused unless
/// `replace`.
fn same_batch(ledger: &Ledger, export: &Export, wave: &Wave, replace: bool) -> Result<bool, Error> {
    let Some(before) = ledger.batch(&wave.batch)? else {
        return Ok(false);
    };
    let mut keys: Vec<String> = export.people[wave.part.people.clone()]
        .iter()
        .map(|p| key(&p.upn).into_owned())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    if keys == before.keys {
        return Ok(true);
    }
    if replace {
        return Ok(false);
    }
    Err(Error::BatchExists {
        name: wave.batch.clone(),
        time: before.time,
        file: before.file,
    })
}
