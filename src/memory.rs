//! The allocator, and keeping memory where it started: a long-running server, and a portal
//! build between its large stages.
//!
//! The `lore` binary allocates with jemalloc ([`Allocator`]; `main.rs` installs it and sets
//! its options): at 10,000 pages a cold build takes 17 % less time than with glibc's malloc,
//! with a lower peak. C code (oniguruma, libdeflate) keeps glibc's malloc.
//!
//! glibc gives each thread that allocates its own arena, up to eight per core, and keeps what
//! is freed in them. A preview server has a dozen threads that build, export and answer, and
//! event-stream threads that come and go: after 100 edits of a 1,000-page site under load
//! (`bench/soak.py`), RSS stayed 50 % above where it started, with two arenas 9 %.

/// Limits glibc to two arenas: call before the server's threads start.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        /// `M_ARENA_MAX` of glibc's `<malloc.h>`.
        const M_ARENA_MAX: std::ffi::c_int = -8;
        unsafe extern "C" {
            fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
        }
        // SAFETY: `mallopt` sets a tuning parameter of glibc's allocator; it takes no pointer
        // and is thread-safe. A value it refuses changes nothing.
        unsafe {
            mallopt(M_ARENA_MAX, 2);
        }
    }
}

/// The allocator of the `lore` binary.
#[cfg(not(target_env = "msvc"))]
pub type Allocator = tikv_jemallocator::Jemalloc;
/// The allocator of the `lore` binary (jemalloc does not build with MSVC).
#[cfg(target_env = "msvc")]
pub type Allocator = std::alloc::System;

/// The allocator's value, for `#[global_allocator]`.
#[cfg(not(target_env = "msvc"))]
pub const ALLOCATOR: Allocator = tikv_jemallocator::Jemalloc;
/// The allocator's value, for `#[global_allocator]`.
#[cfg(target_env = "msvc")]
pub const ALLOCATOR: Allocator = std::alloc::System;

/// Returns the free pages of jemalloc's arenas and of glibc's heaps to the system.
pub fn release_free() {
    #[cfg(not(target_env = "msvc"))]
    {
        // `MALLCTL_ARENAS_ALL`: every arena.
        let name = c"arena.4096.purge";
        // SAFETY: `mallctl` with a NUL-terminated name and no old or new value runs the purge
        // of jemalloc's arenas; it is thread-safe. When jemalloc is not the allocator in use
        // (the library's own tests), its arenas are empty and this does nothing.
        unsafe {
            tikv_jemalloc_sys::mallctl(
                name.as_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                0,
            );
        }
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: `malloc_trim` only returns free pages of glibc's heaps to the system; it
        // takes no pointer and is thread-safe.
        unsafe {
            malloc_trim(0);
        }
    }
}
