//! The one place that writes files: every output is a small [`Output`]
//! writer, and [`write_all`] puts them in place together, through temporary
//! files and renames, so a crash never leaves half a plan.

use crate::error::Error;
use crate::reconcile::Outcome;
use rayon::prelude::*;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

#[cfg(target_os = "linux")]
mod direct;

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
    let _registered: Vec<temporary::Registered> = staged
        .iter()
        .map(|(temp, _)| temporary::register(temp))
        .collect();
    // The files are written side by side; each is synced to disk on a
    // thread of its own, which waits on the disk while the writing goes on.
    // The renames come after all.
    let result = std::thread::scope(|syncs| {
        let synced = outputs
            .par_iter()
            .zip(&staged)
            .map(|(output, (temp, target))| {
                #[cfg(target_os = "linux")]
                if let Some(mut out) = direct::Direct::create(temp) {
                    output.write(data, &mut out).map_err(fail(target))?;
                    let file = out.finish().map_err(fail(target))?;
                    return Ok(syncs.spawn(move || file.sync_all().map_err(fail(target))));
                }
                let file = File::create(temp).map_err(fail(temp))?;
                let mut out = BufWriter::with_capacity(1 << 16, Writeback::new(file));
                output.write(data, &mut out).map_err(fail(target))?;
                let file = out
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .map_err(fail(target))?
                    .file;
                Ok(syncs.spawn(move || file.sync_all().map_err(fail(target))))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        // While the disk works, the outputs about to be replaced give up
        // their cached pages; the renames would otherwise free them, on one
        // core, after the syncs.
        for (_, target) in &staged {
            syncs.spawn(move || forget_cached(target));
        }
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

/// Removes the temporary files of the outputs being written, for a run
/// that must stop at once (the binary's SIGBUS handler): otherwise they
/// stay beside the outputs. Async-signal-safe: it reads atomics and calls
/// `unlink` (Linux; elsewhere it does nothing).
pub fn remove_temporary_files() {
    #[cfg(target_os = "linux")]
    temporary::remove(&temporary::FILES);
}

/// The temporary files being written, where a signal handler can find
/// them: their paths as C strings in a fixed set of slots. A path once
/// registered is never freed (a few bytes a run), so a handler never reads
/// freed memory whatever it interrupts.
#[cfg(target_os = "linux")]
mod temporary {
    use std::path::Path;
    use std::sync::atomic::{AtomicPtr, Ordering};

    pub(super) static FILES: [AtomicPtr<libc::c_char>; 64] =
        [const { AtomicPtr::new(std::ptr::null_mut()) }; 64];

    /// A registered path; dropping it unregisters it.
    pub(super) struct Registered {
        at: Option<(&'static AtomicPtr<libc::c_char>, *mut libc::c_char)>,
    }

    /// Registers `path` in a free slot (none when all are taken, as only
    /// many runs at once in one process could make them).
    pub(super) fn register(path: &Path) -> Registered {
        use std::os::unix::ffi::OsStrExt;
        let Ok(path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
            return Registered { at: None };
        };
        let path = path.into_raw();
        let slot = FILES.iter().find(|slot| {
            slot.compare_exchange(
                std::ptr::null_mut(),
                path,
                Ordering::AcqRel,
                Ordering::Relaxed,
            )
            .is_ok()
        });
        Registered {
            at: slot.map(|slot| (slot, path)),
        }
    }

    impl Drop for Registered {
        fn drop(&mut self) {
            if let Some((slot, path)) = self.at {
                let _ = slot.compare_exchange(
                    path,
                    std::ptr::null_mut(),
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                );
            }
        }
    }

    /// Unlinks the files registered in `slots`.
    pub(super) fn remove(slots: &[AtomicPtr<libc::c_char>]) {
        for slot in slots {
            let path = slot.load(Ordering::Acquire);
            if !path.is_null() {
                // SAFETY: a registered path is a C string never freed.
                unsafe { libc::unlink(path) };
            }
        }
    }
}

/// Elsewhere no handler removes them: nothing to register.
#[cfg(not(target_os = "linux"))]
mod temporary {
    pub(super) struct Registered;

    pub(super) fn register(_: &std::path::Path) -> Registered {
        Registered
    }
}

/// A file being written that asks the kernel to start putting its bytes on
/// disk every few megabytes (Linux), so that the sync at the end waits for
/// the last few only instead of for the whole file. For file systems that
/// cannot be written past the page cache ([`direct`]), and other systems.
struct Writeback {
    file: File,
    written: u64,
    started: u64,
}

impl Writeback {
    const STEP: u64 = 8 << 20;

    fn new(file: File) -> Writeback {
        Writeback {
            file,
            written: 0,
            started: 0,
        }
    }
}

impl Write for Writeback {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if self.written - self.started >= Self::STEP {
            #[cfg(target_os = "linux")]
            {
                use std::os::fd::AsRawFd;
                // Only a start: its errors come back from the sync.
                // SAFETY: a call on an open descriptor; it touches no memory.
                unsafe {
                    libc::sync_file_range(
                        self.file.as_raw_fd(),
                        self.started as libc::off64_t,
                        (self.written - self.started) as libc::off64_t,
                        libc::SYNC_FILE_RANGE_WRITE,
                    )
                };
            }
            self.started = self.written;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Drops the page cache of the file at `path`, if there is one. Its bytes
/// stay on disk; only memory the kernel would free on unlinking goes early.
fn forget_cached(path: &Path) {
    #[cfg(target_os = "linux")]
    if let Ok(file) = File::open(path) {
        use std::os::fd::AsRawFd;
        // SAFETY: an advisory call on an open descriptor; it reads or
        // writes no memory of ours.
        unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = path;
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
                let mut text = Vec::with_capacity(run.len() * 512);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `data` bytes of a pattern that changes with `data`.
    struct Pattern(&'static str);

    impl Output<usize> for Pattern {
        fn file_name(&self) -> &str {
            self.0
        }

        fn write(&self, data: &usize, out: &mut dyn Write) -> io::Result<()> {
            let bytes: Vec<u8> = (0..*data).map(|i| (i % 251) as u8 ^ *data as u8).collect();
            // Uneven pieces, as the writers send them.
            for piece in bytes.chunks(100_003) {
                out.write_all(piece)?;
            }
            Ok(())
        }
    }

    /// The registry of temporary files, for the SIGBUS handler (Linux).
    #[cfg(target_os = "linux")]
    mod registry {
        use super::*;

        /// Whether `path` is among the registered temporary files.
        fn registered(path: &Path) -> bool {
            use std::sync::atomic::Ordering;
            temporary::FILES.iter().any(|slot| {
                let at = slot.load(Ordering::Acquire);
                // SAFETY: a registered path is a C string never freed.
                !at.is_null()
                    && unsafe { std::ffi::CStr::from_ptr(at) }.to_bytes()
                        == path.as_os_str().as_encoded_bytes()
            })
        }

        /// Notes, while it is written, whether its temporary file is
        /// registered (in `REGISTERED`).
        struct Registers;

        static REGISTERED: std::sync::atomic::AtomicBool =
            std::sync::atomic::AtomicBool::new(false);

        impl Output<Path> for Registers {
            fn file_name(&self) -> &str {
                "registers.txt"
            }

            fn write(&self, dir: &Path, out: &mut dyn Write) -> io::Result<()> {
                let temp = dir.join(format!(".registers.txt.{}.tmp", std::process::id()));
                REGISTERED.store(
                    registered(&temp) && temp.exists(),
                    std::sync::atomic::Ordering::SeqCst,
                );
                out.write_all(b"text")
            }
        }

        #[test]
        fn temporary_files_are_registered_while_written_and_removable() {
            use std::sync::atomic::{AtomicPtr, Ordering};
            let dir = tempfile::tempdir().unwrap();
            let outputs: Vec<Box<dyn Output<Path>>> = vec![Box::new(Registers)];
            let written = write_all(dir.path(), dir.path(), &outputs).unwrap();
            assert_eq!(fs::read(&written[0]).unwrap(), b"text");
            assert!(
                REGISTERED.load(Ordering::SeqCst),
                "registered while written"
            );
            let temp = dir
                .path()
                .join(format!(".registers.txt.{}.tmp", std::process::id()));
            assert!(!registered(&temp), "unregistered once written");

            // What the handler does, on slots of this test's own.
            let file = dir.path().join(".left.tmp");
            fs::write(&file, b"half").unwrap();
            let path = std::ffi::CString::new(file.as_os_str().as_encoded_bytes()).unwrap();
            let slots = [
                AtomicPtr::new(path.into_raw()),
                AtomicPtr::new(std::ptr::null_mut()),
            ];
            temporary::remove(&slots);
            assert!(!file.exists());
            // SAFETY: made by `into_raw` above, and not used after.
            drop(unsafe { std::ffi::CString::from_raw(slots[0].load(Ordering::Acquire)) });
        }
    }

    fn expected(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8 ^ len as u8).collect()
    }

    #[test]
    fn outputs_replace_the_previous_ones_whole_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let outputs: Vec<Box<dyn Output<usize>>> =
            vec![Box::new(Pattern("a.bin")), Box::new(Pattern("b.bin"))];
        // Longer than a writeback step, then shorter over the longer files.
        for len in [3 * Writeback::STEP as usize + 17, 1_000] {
            let written = write_all(dir.path(), &len, &outputs).unwrap();
            assert_eq!(written.len(), 2);
            for path in &written {
                assert_eq!(fs::read(path).unwrap(), expected(len));
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
