//! The one place that writes files: every output is a small [`Output`]
//! writer, and [`write_all`] puts them in place together, through temporary
//! files and renames, so a crash never leaves half a plan.

use crate::error::Error;
use crate::reconcile::Outcome;
use rayon::prelude::*;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// One output file of a run, written from the run's result `T`.
pub trait Output<T: ?Sized = Outcome>: Send + Sync {
    /// The file name inside the output folder.
    fn file_name(&self) -> &str;
    /// Writes the whole file.
    fn write(&self, data: &T, out: &mut dyn Write) -> io::Result<()>;
}

/// Every output of `reconcile`, in the order they are written.
pub fn reconcile_outputs() -> Vec<Box<dyn Output>> {
    vec![
        Box::new(crate::plan::csv::ImportPlanCsv),
        Box::new(crate::plan::powershell::ImportPlanPs1),
        Box::new(crate::report::errors_csv::ErrorsCsv),
        Box::new(crate::plan::send_back::SendBackCsv),
        Box::new(crate::report::json::ReportJson),
    ]
}

/// Writes every output into `dir`: all to temporary files first, then all
/// renamed into place. Returns the paths written.
pub fn write_all<T: ?Sized + Sync>(
    dir: &Path,
    data: &T,
    outputs: &[Box<dyn Output<T>>],
) -> Result<Vec<PathBuf>, Error> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    fs::create_dir_all(dir).map_err(fail(dir))?;
    let staged: Vec<(PathBuf, PathBuf)> = outputs
        .iter()
        .map(|o| {
            let temp = dir.join(format!(".{}.{}.tmp", o.file_name(), std::process::id()));
            (temp, dir.join(o.file_name()))
        })
        .collect();
    // The files are written side by side; each is synced to disk on a
    // thread of its own, which waits on the disk while the writing goes on.
    // The renames come after all.
    let result = std::thread::scope(|syncs| {
        let synced = outputs
            .par_iter()
            .zip(&staged)
            .map(|(output, (temp, target))| {
                let file = File::create(temp).map_err(fail(temp))?;
                let mut out = BufWriter::with_capacity(1 << 16, file);
                output.write(data, &mut out).map_err(fail(target))?;
                let file = out
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .map_err(fail(target))?;
                Ok(syncs.spawn(move || file.sync_all().map_err(fail(target))))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        for (sync, (_, target)) in synced.into_iter().zip(&staged) {
            sync.join()
                .unwrap_or_else(|_| Err(fail(target)(io::Error::other("sync failed"))))?;
        }
        Ok(())
    })
    .and_then(|()| {
        for (temp, target) in &staged {
            fs::rename(temp, target).map_err(fail(target))?;
        }
        Ok(staged.iter().map(|(_, t)| t.clone()).collect())
    });
    if result.is_err() {
        for (temp, _) in &staged {
            let _ = fs::remove_file(temp);
        }
    }
    result
}

/// Writes `items` in order, formatted in parallel a window at a time:
/// `format` turns a run of items into bytes. The files are large; only a
/// window's text is held at once.
pub fn write_in_order<T: Sync>(
    out: &mut dyn Write,
    items: &[T],
    format: impl Fn(&[T], &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    for window in items.chunks(1 << 15) {
        let texts: Vec<io::Result<Vec<u8>>> = window
            .par_chunks(1 << 10)
            .map(|run| {
                let mut text = Vec::with_capacity(run.len() * 256);
                format(run, &mut text).map(|()| text)
            })
            .collect();
        for text in texts {
            out.write_all(&text?)?;
        }
    }
    Ok(())
}

/// The UTF-8 byte order mark, for files Excel or Windows PowerShell opens:
/// without it they read UTF-8 as the ANSI code page.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";
