//! A leaf: the [`Output`] trait every writer implements, and writing a set
//! of outputs into a folder as one: each to a temporary file beside its
//! target, all finished, then all put in place or none (`set`), together
//! with whatever else the set is sealed with (a ledger's commit), a stop by
//! Ctrl-C included ([`interrupt`]). Which writers a command uses is the
//! command's business.

pub mod interrupt;
mod set;

use crate::error::Error;
use rayon::prelude::*;
pub use set::{Seal, Staged};
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The UTF-8 byte order mark: Excel reads a CSV file as UTF-8 only with it.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One output file, written from the result `T` of a run.
pub trait Output<T: ?Sized>: Sync {
    /// The file name inside the output folder.
    fn file_name(&self) -> &str;
    /// Writes the whole file.
    fn write(&self, data: &T, out: &mut dyn Write) -> io::Result<()>;
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
    let staged: Vec<Result<Staged, Error>> = outputs
        .par_iter()
        .map(|output| {
            let target = dir.join(output.file_name());
            let temp = set::temp_path(dir, output.file_name(), "tmp");
            let file = write_one(*output, data, &temp).map_err(fail(&target))?;
            Ok(Staged {
                temp,
                target,
                file: Some(file),
            })
        })
        .collect();
    let staged: Result<Vec<Staged>, Error> = staged.into_iter().collect();
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
            for output in outputs {
                let _ = fs::remove_file(set::temp_path(dir, output.file_name(), "tmp"));
            }
            return Err(e);
        }
    };
    // From here the set goes in place whole, a stop or not.
    set::commit(dir, &mut staged, sealing.seal).map_err(|failed| match failed {
        set::Failed::Unchanged(path, source) => Error::Write { path, source },
        set::Failed::Seal(e) => e,
    })?;
    Ok(staged.into_iter().map(|s| s.target).collect())
}

/// Writes one output to its temporary file, which stays open and locked.
fn write_one<T: ?Sized>(output: &dyn Output<T>, data: &T, temp: &Path) -> io::Result<fs::File> {
    let file = set::create_locked(temp)?;
    let mut out = BufWriter::with_capacity(1 << 18, interrupt::Stoppable(&file));
    output.write(data, &mut out)?;
    out.into_inner().map_err(|e| e.into_error())?;
    Ok(file)
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
