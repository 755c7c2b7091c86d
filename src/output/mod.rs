//! A leaf: the [`Output`] trait every writer implements, and writing a set
//! of outputs into a folder as one: each to a temporary file beside its
//! target, all finished, then all put in place or none (`set`), together
//! with whatever else the set is sealed with (a ledger's commit), a stop by
//! Ctrl-C included ([`interrupt`]). Which writers a command uses is the
//! command's business.

pub mod interrupt;
mod parts;
mod set;

pub use parts::{csv_parts, is_part_of, part_name, part_names, rows_per_part, Parts, SHEET_ROWS};

use crate::error::Error;
use rayon::prelude::*;
pub use set::{Seal, Staged};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The UTF-8 byte order mark: Excel reads a CSV file as UTF-8 only with it.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One output file, written from the result `T` of a run.
pub trait Output<T: ?Sized>: Sync {
    /// The file name inside the output folder.
    fn file_name(&self) -> &str;
    /// Writes the whole file.
    fn write(&self, data: &T, out: &mut dyn Write) -> io::Result<()>;
    /// For a file of rows that is written in parts at the sheet's limit:
    /// how many data rows it has (so that every part can be named before
    /// any is written). `None`: one file, whatever its size.
    fn rows(&self, _data: &T) -> Option<usize> {
        None
    }
    /// Writes the file in parts (see [`csv_parts`]); one part unless the
    /// writer splits.
    fn write_parts(&self, data: &T, parts: &mut Parts<'_>) -> io::Result<()> {
        self.write(data, parts.out())
    }
}

/// The names every output of `outputs` will be written as, parts
/// included, in order.
pub fn names<T: ?Sized>(data: &T, outputs: &[&dyn Output<T>]) -> Vec<String> {
    outputs
        .iter()
        .flat_map(|o| match o.rows(data) {
            Some(rows) => part_names(o.file_name(), rows),
            None => vec![o.file_name().to_string()],
        })
        .collect()
}

/// How a set is written: what else it is sealed with, and how to tell
/// whether the seal of a set a killed run left was made.
pub struct Sealing<'a> {
    pub seal: Option<&'a mut dyn Seal>,
    /// Given a journal's seal token: whether that seal was made.
    pub sealed: &'a dyn Fn(&str) -> bool,
}

impl<'a> Sealing<'a> {
    /// A set sealed with nothing; `sealed` still judges what a killed run
    /// left in the folder.
    pub fn unsealed(sealed: &'a dyn Fn(&str) -> bool) -> Sealing<'a> {
        Sealing { seal: None, sealed }
    }
}

/// Writes every output into `dir` as one set: each to a temporary file
/// beside its target, all finished, then all put in place and the seal
/// made, or none (the previous set stays). Returns the paths written.
pub fn write_all<T: ?Sized + Sync>(
    dir: &Path,
    data: &T,
    outputs: &[&dyn Output<T>],
    sealing: Sealing<'_>,
) -> Result<Vec<PathBuf>, Error> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        // A writer may wrap the stop in its own error (csv's does).
        move |source: io::Error| match interrupt::is_stop(&source) || interrupt::requested() {
            true => Error::Stopped,
            false => Error::Write { path, source },
        }
    };
    if dir.exists() && !dir.is_dir() {
        return Err(Error::OutNotFolder {
            path: dir.to_path_buf(),
        });
    }
    fs::create_dir_all(dir).map_err(fail(dir))?;
    let _held = set::hold_folder(dir).map_err(fail(dir))?;
    set::recover(dir, sealing.sealed).map_err(fail(dir))?;
    let written: Vec<Result<Vec<Staged>, Error>> = outputs
        .par_iter()
        .map(|output| {
            let target = dir.join(output.file_name());
            let mut staged = write_one(*output, data, dir).map_err(fail(&target))?;
            // Parts a bigger earlier run left go with the set.
            if output.rows(data).is_some() {
                let stale = parts::stale(dir, output.file_name(), staged.len());
                staged.extend(stale.map_err(fail(&target))?);
            }
            Ok(staged)
        })
        .collect();
    let staged: Result<Vec<Staged>, Error> = written
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map(|all| all.into_iter().flatten().collect());
    let staged = staged.and_then(|staged| {
        interrupt::pause_for_tests("before-swap");
        interrupt::check()?;
        set::check_targets(&staged)
            .map(|()| staged)
            .map_err(|(path, source)| Error::Write { path, source })
    });
    let mut staged = match staged {
        Ok(staged) => staged,
        Err(e) => {
            set::remove_temps(dir);
            return Err(e);
        }
    };
    // From here the set goes in place whole, a stop or not.
    set::commit(dir, &mut staged, sealing.seal).map_err(|failed| match failed {
        set::Failed::Unchanged(path, source) => Error::Write { path, source },
        set::Failed::Seal(e) => e,
    })?;
    Ok(staged
        .into_iter()
        .filter(|s| !s.temp.as_os_str().is_empty())
        .map(|s| s.target)
        .collect())
}

/// Writes one output to its temporary files (one, or its parts), which stay
/// open and locked.
fn write_one<T: ?Sized>(output: &dyn Output<T>, data: &T, dir: &Path) -> io::Result<Vec<Staged>> {
    let mut parts = Parts::new(dir, output.file_name())?;
    match output.write_parts(data, &mut parts) {
        Ok(()) => parts.finish(),
        Err(e) => {
            for temp in parts.temps() {
                let _ = fs::remove_file(temp);
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pattern(&'static str);

    impl Output<usize> for Pattern {
        fn file_name(&self) -> &str {
            self.0
        }

        fn write(&self, len: &usize, out: &mut dyn Write) -> io::Result<()> {
            out.write_all(&vec![b'x'; *len])
        }
    }

    #[test]
    fn outputs_replace_the_previous_ones_whole_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (Pattern("a.bin"), Pattern("b.bin"));
        let outputs: [&dyn Output<usize>; 2] = [&a, &b];
        for len in [3 << 18, 1_000] {
            let written =
                write_all(dir.path(), &len, &outputs, Sealing::unsealed(&|_| true)).unwrap();
            for path in &written {
                assert_eq!(fs::read(path).unwrap().len(), len);
            }
        }
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["a.bin", "b.bin"]);
    }
}
