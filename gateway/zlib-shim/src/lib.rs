//! A stand-in for `libz-ng-sys`, patched in by the workspace's `[patch.crates-io]`.
//!
//! pingora-core turns on flate2's `zlib-ng` backend, and the real `libz-ng-sys` builds
//! zlib-ng's C sources with cmake: the README's first command then fails on a machine without
//! cmake. strata never compresses through pingora, but the crate is built all the same. This
//! crate has the same name and the items of libz-ng-sys's API that flate2 uses, implemented by
//! zlib-rs (a pure-Rust zlib, through `libz-rs-sys`): no C compiler, no cmake.
//!
//! flate2 builds a [`z_stream`] with plain function pointers where zlib-rs has `Option`s; both
//! have the same layout (checked below at compile time), so a pointer to ours is handed to
//! zlib-rs as a pointer to its own.

#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::{c_char, c_int, c_uint, c_ulong, c_void};
use core::mem::{align_of, offset_of, size_of};

use libz_rs_sys as rs;

pub use rs::{
    Z_BLOCK, Z_BUF_ERROR, Z_DATA_ERROR, Z_DEFAULT_STRATEGY, Z_DEFLATED, Z_FINISH, Z_FULL_FLUSH,
    Z_MEM_ERROR, Z_NEED_DICT, Z_NO_FLUSH, Z_OK, Z_PARTIAL_FLUSH, Z_STREAM_END, Z_STREAM_ERROR,
    Z_SYNC_FLUSH,
};

/// A byte of zlib's buffers.
pub type Bytef = u8;
/// zlib's `unsigned int`.
pub type uInt = c_uint;
/// zlib's `unsigned long`.
pub type uLong = c_ulong;
/// zlib's untyped pointer.
pub type voidpf = *mut c_void;
/// The allocator callback of a stream.
pub type alloc_func = unsafe extern "C" fn(voidpf, uInt, uInt) -> voidpf;
/// The deallocator callback of a stream.
pub type free_func = unsafe extern "C" fn(voidpf, voidpf);

/// The library's private state, never looked into.
pub enum internal_state {}

/// zlib's stream, as flate2 builds it (see the crate docs for the layout argument).
#[repr(C)]
#[derive(Copy, Clone)]
pub struct z_stream {
    /// Next input byte.
    pub next_in: *mut Bytef,
    /// Bytes available at `next_in`.
    pub avail_in: uInt,
    /// Input bytes read so far.
    pub total_in: uLong,
    /// Where the next output byte goes.
    pub next_out: *mut Bytef,
    /// Space left at `next_out`.
    pub avail_out: uInt,
    /// Output bytes written so far.
    pub total_out: uLong,
    /// The last error message, or null.
    pub msg: *mut c_char,
    /// The library's state.
    pub state: *mut internal_state,
    /// Allocates the library's state.
    pub zalloc: alloc_func,
    /// Frees it.
    pub zfree: free_func,
    /// Passed to `zalloc` and `zfree`.
    pub opaque: voidpf,
    /// A guess at the data's type.
    pub data_type: c_int,
    /// Adler-32 or CRC-32 of the data.
    pub adler: uLong,
    /// Reserved.
    pub reserved: uLong,
}

/// A pointer to a stream.
pub type z_streamp = *mut z_stream;

macro_rules! same_field {
    ($field:ident) => {
        assert!(offset_of!(z_stream, $field) == offset_of!(rs::z_stream, $field));
    };
}

const _: () = {
    assert!(size_of::<z_stream>() == size_of::<rs::z_stream>());
    assert!(align_of::<z_stream>() == align_of::<rs::z_stream>());
    same_field!(next_in);
    same_field!(avail_in);
    same_field!(total_in);
    same_field!(next_out);
    same_field!(avail_out);
    same_field!(total_out);
    same_field!(msg);
    same_field!(state);
    same_field!(zalloc);
    same_field!(zfree);
    same_field!(opaque);
    same_field!(data_type);
    same_field!(adler);
    same_field!(reserved);
};

fn theirs(strm: z_streamp) -> *mut rs::z_stream {
    strm.cast()
}

/// The library's version string, as `deflateInit2_` and `inflateInit2_` expect it.
pub extern "C" fn zlibVersion() -> *const c_char {
    rs::zlibVersion()
}

/// zlib's `deflateInit2_`.
///
/// # Safety
/// As zlib's: `strm` points to a stream whose allocator fields are set.
pub unsafe extern "C" fn deflateInit2_(
    strm: z_streamp,
    level: c_int,
    method: c_int,
    window_bits: c_int,
    mem_level: c_int,
    strategy: c_int,
    version: *const c_char,
    stream_size: c_int,
) -> c_int {
    // SAFETY: same layout (checked above); the caller's contract is zlib's.
    unsafe {
        rs::deflateInit2_(
            theirs(strm),
            level,
            method,
            window_bits,
            mem_level,
            strategy,
            version,
            stream_size,
        )
    }
}

/// zlib's `inflateInit2_`.
///
/// # Safety
/// As zlib's: `strm` points to a stream whose allocator fields are set.
pub unsafe extern "C" fn inflateInit2_(
    strm: z_streamp,
    window_bits: c_int,
    version: *const c_char,
    stream_size: c_int,
) -> c_int {
    // SAFETY: same layout (checked above); the caller's contract is zlib's.
    unsafe { rs::inflateInit2_(theirs(strm), window_bits, version, stream_size) }
}

macro_rules! forward {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        $(#[$doc])*
        ///
        /// # Safety
        /// As zlib's: `strm` points to a stream initialised by the matching `*Init2_`.
        pub unsafe extern "C" fn $name(strm: z_streamp $(, $arg: $ty)*) -> c_int {
            // SAFETY: same layout (checked above); the caller's contract is zlib's.
            unsafe { rs::$name(theirs(strm) $(, $arg)*) }
        }
    )*};
}

forward! {
    /// zlib's `deflate`.
    fn deflate(flush: c_int);
    /// zlib's `deflateEnd`.
    fn deflateEnd();
    /// zlib's `deflateReset`.
    fn deflateReset();
    /// zlib's `deflateParams`.
    fn deflateParams(level: c_int, strategy: c_int);
    /// zlib's `deflateSetDictionary`.
    fn deflateSetDictionary(dictionary: *const Bytef, dict_length: uInt);
    /// zlib's `inflate`.
    fn inflate(flush: c_int);
    /// zlib's `inflateEnd`.
    fn inflateEnd();
    /// zlib's `inflateReset2`.
    fn inflateReset2(window_bits: c_int);
    /// zlib's `inflateSetDictionary`.
    fn inflateSetDictionary(dictionary: *const Bytef, dict_length: uInt);
}
