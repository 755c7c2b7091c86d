//! A leaf: the [`Output`] trait every writer implements, and writing a set
//! of outputs into a folder: each to a temporary file beside its target,
//! finished and flushed, then all put in place. Which writers a command
//! uses is the command's business.

use crate::error::Error;
use rayon::prelude::*;
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

/// Writes every output into `dir`, side by side: all to temporary files
/// first, then each renamed into place. Returns the paths written.
pub fn write_all<T: ?Sized + Sync>(
    dir: &Path,
    data: &T,
    outputs: &[&dyn Output<T>],
) -> Result<Vec<PathBuf>, Error> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    fs::create_dir_all(dir).map_err(fail(dir))?;
    let written: Vec<(tempfile::NamedTempFile, PathBuf)> = outputs
        .par_iter()
        .map(|output| {
            let target = dir.join(output.file_name());
            let temp = tempfile::Builder::new()
                .prefix(".acp-recon.")
                .suffix(".tmp")
                .tempfile_in(dir)
                .map_err(fail(&target))?;
            let mut out = BufWriter::with_capacity(1 << 18, temp);
            output.write(data, &mut out).map_err(fail(&target))?;
            let temp = out
                .into_inner()
                .map_err(|e| fail(&target)(e.into_error()))?;
            Ok((temp, target))
        })
        .collect::<Result<_, Error>>()?;
    written
        .into_iter()
        .map(|(temp, target)| {
            temp.persist(&target).map_err(|e| fail(&target)(e.error))?;
            Ok(target)
        })
        .collect()
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
            let written = write_all(dir.path(), &len, &outputs).unwrap();
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
