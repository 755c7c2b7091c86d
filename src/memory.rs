//! What a run tells the program's allocator. A run frees large parts as it
//! goes (the input tables' rows, the roster) and allocates others after
//! (the checked rows, the findings). An allocator that keeps freed memory a
//! while (mimalloc keeps it a second) would hold both at once; the program
//! can hand in, through [`on_freed`], a way to give that memory back.
//! Also the hint that memory is about to be read (`prefetch`).

use std::sync::OnceLock;

static FREED: OnceLock<fn()> = OnceLock::new();

/// Sets what to call once a run has freed a large part of its memory; the
/// first setting holds.
pub fn on_freed(hook: fn()) {
    let _ = FREED.set(hook);
}

/// A large part of the run's memory was just freed.
pub(crate) fn freed() {
    if let Some(hook) = FREED.get() {
        hook();
    }
}

/// Asks the processor to start loading the cache line at `at`, which is
/// read soon: lookups in key order into rows kept in file order otherwise
/// wait for memory one after another. A hint only; any address will do.
#[inline(always)]
pub(crate) fn prefetch<T>(at: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing the program sees and never faults,
    // whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch(at.cast::<i8>(), std::arch::x86_64::_MM_HINT_T0)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// [`prefetch`] of every cache line `value` spans.
#[inline(always)]
pub(crate) fn prefetch_all<T>(value: &T) {
    let at: *const T = value;
    let size = std::mem::size_of::<T>();
    // Every 64 bytes from the start, and the last byte: a value need not
    // start a line.
    for byte in (0..size).step_by(64).chain(size.checked_sub(1)) {
        prefetch(at.wrapping_byte_add(byte));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    #[test]
    fn the_hook_set_is_called_when_memory_is_freed() {
        on_freed(|| {
            CALLS.fetch_add(1, Ordering::SeqCst);
        });
        let before = CALLS.load(Ordering::SeqCst);
        freed();
        assert_eq!(CALLS.load(Ordering::SeqCst), before + 1);
    }
}
