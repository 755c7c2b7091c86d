//! Writing an output past the page cache (Linux `O_DIRECT`). A run writes
//! hundreds of megabytes it does not read again: through the page cache,
//! the kernel takes fresh pages for all of them and copies every byte in,
//! on the core that formats the output. Here the bytes go to disk from
//! aligned blocks, written by a thread of the output's own that waits on
//! the disk while the formatting goes on.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

/// Bytes a block holds: with 1 MiB blocks the disk, not the formatting,
/// set the pace; an output's blocks stay 12 MiB.
const BLOCK: usize = 4 << 20;
/// What `O_DIRECT` asks of a buffer's address, length and file offset.
const ALIGN: usize = 4096;
/// Blocks per output: one being filled, the others on their way to disk.
const BLOCKS: usize = 3;

/// Up to [`BLOCK`] bytes starting at an [`ALIGN`]ed address. Its memory
/// is touched only as it is written: a small output costs a few pages.
struct Block {
    raw: Vec<u8>,
    start: usize,
}

impl Block {
    fn new() -> Block {
        // Room for the bytes, the padding after them and the offset that
        // aligns them: the vector never grows.
        let mut raw = Vec::with_capacity(BLOCK + ALIGN);
        let start = (ALIGN - raw.as_ptr() as usize % ALIGN) % ALIGN;
        raw.resize(start, 0);
        Block { raw, start }
    }

    fn len(&self) -> usize {
        self.raw.len() - self.start
    }

    /// Takes what fits of `data`; returns how much.
    fn push(&mut self, data: &[u8]) -> usize {
        let n = data.len().min(BLOCK - self.len());
        self.raw.extend_from_slice(&data[..n]);
        n
    }

    /// The bytes, with zeros after them up to the next aligned length: the
    /// file is cut back to its length at the end.
    fn padded(&mut self) -> &[u8] {
        let padded = self.len().next_multiple_of(ALIGN);
        self.raw.resize(self.start + padded, 0);
        &self.raw[self.start..]
    }

    fn clear(&mut self) {
        self.raw.truncate(self.start);
    }
}

/// A file being written past the page cache.
pub(super) struct Direct {
    current: Option<Block>,
    /// Blocks allocated so far, up to [`BLOCKS`].
    blocks: usize,
    to_disk: Option<SyncSender<Block>>,
    back: Receiver<Block>,
    writer: Option<JoinHandle<io::Result<File>>>,
}

impl Direct {
    /// Creates `path` to be written past the page cache; `None` where the
    /// file system does not offer it (tmpfs) or the file cannot be created,
    /// which the ordinary way then reports.
    pub(super) fn create(path: &Path) -> Option<Direct> {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .custom_flags(libc::O_DIRECT)
            .open(path)
            .ok()?;
        let (to_disk, blocks) = sync_channel::<Block>(BLOCKS - 1);
        let (give_back, back) = channel();
        // Without a thread for it (the system refuses one), the ordinary
        // way writes the file.
        let writer = std::thread::Builder::new().name("acp-write".into());
        let writer = writer
            .spawn(move || {
                let mut file = file;
                let mut written = 0u64;
                for mut block in blocks {
                    written += block.len() as u64;
                    write_block(&mut file, block.padded())?;
                    block.clear();
                    // The writing side may be gone already: nothing to return.
                    let _ = give_back.send(block);
                }
                file.set_len(written)?;
                Ok(file)
            })
            .ok()?;
        Some(Direct {
            current: None,
            blocks: 0,
            to_disk: Some(to_disk),
            back,
            writer: Some(writer),
        })
    }

    /// Writes what is left and waits for the disk; returns the file to sync.
    pub(super) fn finish(mut self) -> io::Result<File> {
        if self.current.as_ref().is_some_and(|b| b.len() > 0) {
            self.send()?;
        }
        self.to_disk = None;
        self.join()
    }

    /// Hands the current block to the writer.
    fn send(&mut self) -> io::Result<()> {
        let Some(block) = self.current.take() else {
            return Ok(());
        };
        let sent = self.to_disk.as_ref().map(|to| to.send(block));
        match sent {
            Some(Ok(())) => Ok(()),
            _ => self.stopped(),
        }
    }

    /// The writer stopped on an error: that is the one to report.
    fn stopped<T>(&mut self) -> io::Result<T> {
        self.to_disk = None;
        self.join()
            .and(Err(io::Error::other("the output's writer stopped")))
    }

    /// Waits for the writer to end, with its result.
    fn join(&mut self) -> io::Result<File> {
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the output's writer panicked")),
            None => Err(io::Error::other("the output's writer has ended")),
        }
    }

    /// A block to fill: a new one while fewer than [`BLOCKS`] exist, else
    /// one the writer is done with.
    fn block(&mut self) -> io::Result<Block> {
        if let Ok(block) = self.back.try_recv() {
            return Ok(block);
        }
        if self.blocks < BLOCKS {
            self.blocks += 1;
            return Ok(Block::new());
        }
        match self.back.recv() {
            Ok(block) => Ok(block),
            Err(_) => self.stopped(),
        }
    }
}

impl Write for Direct {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let block = match self.current.take() {
            Some(block) => block,
            None => self.block()?,
        };
        let block = self.current.insert(block);
        let n = block.push(data);
        if block.len() == BLOCK {
            self.send()?;
        }
        Ok(n)
    }

    /// Blocks go to disk when full; [`Direct::finish`] writes the last.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Direct {
    /// An output that failed half-way: the writer ends with what it has,
    /// before the caller removes the file.
    fn drop(&mut self) {
        self.to_disk = None;
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// Writes an aligned block. A file system that takes `O_DIRECT` at open
/// but not these writes (`EINVAL`) gets them through the page cache.
fn write_block(file: &mut File, bytes: &[u8]) -> io::Result<()> {
    match file.write_all(bytes) {
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
            use std::os::fd::AsRawFd;
            let fd = file.as_raw_fd();
            // SAFETY: flag calls on an open descriptor; no memory is passed.
            unsafe {
                let flags = libc::fcntl(fd, libc::F_GETFL);
                libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_DIRECT);
            }
            file.write_all(bytes)
        }
        result => result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outputs of every size around the block and alignment bounds read
    /// back as written, in pieces of every size.
    #[test]
    fn files_read_back_as_written() {
        let dir = std::env::temp_dir().join(format!("acp-direct-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for size in [
            0,
            1,
            ALIGN - 1,
            ALIGN,
            BLOCK - 1,
            BLOCK,
            BLOCK + 1,
            3 * BLOCK + 7,
            7 * BLOCK + ALIGN,
        ] {
            let bytes: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            let path = dir.join(format!("{size}.bin"));
            let Some(mut out) = Direct::create(&path) else {
                // The temporary folder is on a file system without O_DIRECT.
                return;
            };
            for piece in bytes.chunks(size / 5 + 1) {
                out.write_all(piece).unwrap();
            }
            out.finish().unwrap().sync_all().unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "{size} bytes");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A write the file system refuses past the page cache goes through it.
    #[test]
    fn unaligned_writes_fall_back_to_the_page_cache() {
        let path = std::env::temp_dir().join(format!("acp-direct-{}.bin", std::process::id()));
        let Ok(mut file) = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .custom_flags(libc::O_DIRECT)
            .open(&path)
        else {
            return;
        };
        write_block(&mut file, b"not aligned at all").unwrap();
        drop(file);
        assert_eq!(std::fs::read(&path).unwrap(), b"not aligned at all");
        std::fs::remove_file(&path).unwrap();
    }
}
