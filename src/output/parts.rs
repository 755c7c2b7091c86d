//! Files in parts: a CSV output that would pass the rows a sheet holds is
//! written as `errors.csv`, `errors-2.csv` …, each with its header, split at
//! a row boundary, in the order one file would have, so that every part
//! opens whole in Excel.

use super::interrupt::Stoppable;
use super::set::{self, Staged};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// The data rows a sheet holds: Excel's 1,048,576 rows, the header aside.
pub const SHEET_ROWS: usize = 1_048_575;

/// The data rows a part holds: [`SHEET_ROWS`]; a test build takes
/// `ACP_RECON_TEST_SHEET_ROWS` instead, so that tests split small files.
pub fn rows_per_part() -> usize {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("ACP_RECON_TEST_SHEET_ROWS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return n;
    }
    SHEET_ROWS
}

/// The name of part `n` (1-based) of a file: the name itself for the
/// first, `stem-n.ext` for the others.
///
/// ```
/// use acp_recon::output::part_name;
/// assert_eq!(part_name("errors.csv", 1), "errors.csv");
/// assert_eq!(part_name("errors.csv", 3), "errors-3.csv");
/// ```
pub fn part_name(name: &str, n: usize) -> String {
    if n <= 1 {
        return name.to_string();
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}-{n}.{ext}"),
        None => format!("{name}-{n}"),
    }
}

/// The names of the parts of a file of `rows` data rows: one, or as many
/// as [`rows_per_part`] makes.
pub fn part_names(name: &str, rows: usize) -> Vec<String> {
    let parts = rows.div_ceil(rows_per_part()).max(1);
    (1..=parts).map(|n| part_name(name, n)).collect()
}

/// Whether `file` is a part (2 and up) of the output `name`.
pub fn is_part_of(file: &str, name: &str) -> bool {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let Some(rest) = file.strip_prefix(stem).and_then(|r| r.strip_prefix('-')) else {
        return false;
    };
    let number = match ext {
        "" => rest,
        ext => match rest.strip_suffix(ext).and_then(|r| r.strip_suffix('.')) {
            Some(number) => number,
            None => return false,
        },
    };
    !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) && number != "1"
}

/// The parts of one output being written: each to its temporary file,
/// held locked until the set is in place.
pub struct Parts<'a> {
    dir: &'a Path,
    name: &'a str,
    done: Vec<Staged>,
    current: Option<(Staged, BufWriter<Stoppable<File>>)>,
    /// Where a writer's bytes go should it write after a failed `next`.
    nowhere: io::Sink,
}

impl<'a> Parts<'a> {
    pub(crate) fn new(dir: &'a Path, name: &'a str) -> io::Result<Parts<'a>> {
        let mut parts = Parts {
            dir,
            name,
            done: Vec::new(),
            current: None,
            nowhere: io::sink(),
        };
        parts.open()?;
        Ok(parts)
    }

    fn open(&mut self) -> io::Result<()> {
        let name = part_name(self.name, self.done.len() + 1);
        let temp = set::temp_path(self.dir, &name, "tmp");
        let file = set::create_locked(&temp)?;
        let held = file.try_clone()?;
        let staged = Staged {
            temp,
            target: self.dir.join(&name),
            file: Some(held),
        };
        self.current = Some((staged, BufWriter::with_capacity(1 << 18, Stoppable(file))));
        Ok(())
    }

    /// The part being written.
    pub fn out(&mut self) -> &mut dyn Write {
        match &mut self.current {
            Some((_, out)) => out,
            None => &mut self.nowhere,
        }
    }

    /// Finishes the part being written and starts the next.
    pub fn next_part(&mut self) -> io::Result<()> {
        self.close()?;
        self.open()
    }

    fn close(&mut self) -> io::Result<()> {
        if let Some((staged, out)) = self.current.take() {
            self.done.push(staged);
            out.into_inner().map_err(|e| e.into_error())?;
        }
        Ok(())
    }

    /// The parts written, in order.
    pub(crate) fn finish(mut self) -> io::Result<Vec<Staged>> {
        self.close()?;
        Ok(std::mem::take(&mut self.done))
    }

    /// The temporary files this output made, to remove when the set fails.
    pub(crate) fn temps(&self) -> Vec<std::path::PathBuf> {
        let mut temps: Vec<_> = self.done.iter().map(|s| s.temp.clone()).collect();
        temps.extend(self.current.as_ref().map(|(s, _)| s.temp.clone()));
        temps
    }
}

/// Writes CSV rows in parts: each part starts with `start` (a BOM, for
/// Excel) and the header, and holds at most [`rows_per_part`] rows.
pub fn csv_parts<R>(
    parts: &mut Parts<'_>,
    start: &[u8],
    header: &[&str],
    rows: impl Iterator<Item = R>,
    mut write: impl FnMut(&mut csv::Writer<&mut dyn Write>, R) -> io::Result<()>,
) -> io::Result<()> {
    let limit = rows_per_part();
    let mut rows = rows.peekable();
    loop {
        let out = parts.out();
        out.write_all(start)?;
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(out);
        w.write_record(header)?;
        for row in rows.by_ref().take(limit) {
            write(&mut w, row)?;
        }
        w.flush()?;
        drop(w);
        if rows.peek().is_none() {
            return Ok(());
        }
        parts.next_part()?;
    }
}

/// The parts of a bigger earlier run that this one leaves out: to be
/// removed with the set.
pub(crate) fn stale(dir: &Path, name: &str, written: usize) -> io::Result<Vec<Staged>> {
    let mut stale = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if !is_part_of(&file, name) {
            continue;
        }
        let (stem, _) = name.rsplit_once('.').unwrap_or((name, ""));
        let n: usize = file[stem.len() + 1..]
            .split('.')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if n > written {
            stale.push(Staged {
                temp: std::path::PathBuf::new(),
                target: entry.path(),
                file: None,
            });
        }
    }
    stale.sort_by(|a, b| a.target.cmp(&b.target));
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_told_by_their_names() {
        for (file, part) in [
            ("errors-2.csv", true),
            ("errors-17.csv", true),
            ("errors.csv", false),
            ("errors-1.csv", false),
            ("errors-x.csv", false),
            ("errors-2.csv.bak", false),
            ("send-back-2.csv", false),
            ("errors-.csv", false),
        ] {
            assert_eq!(is_part_of(file, "errors.csv"), part, "{file}");
        }
        assert!(is_part_of("send-back-2.csv", "send-back.csv"));
        assert_eq!(part_names("errors.csv", 0), ["errors.csv"]);
    }
}
