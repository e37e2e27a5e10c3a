//! Keeping memory where it started (glibc only; elsewhere nothing): a long-running server, and
//! a portal build between its large stages.
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

/// Returns the free pages of glibc's heaps to the system.
pub fn release_free() {
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
