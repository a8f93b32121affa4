//! The sizes of the format: packages, stored size and its inverse.

use crate::error::SizeError;

/// Plaintext bytes in every package but the last.
pub const PACKAGE_SIZE: u64 = 64 * 1024;
/// AEAD tag bytes after each package.
pub const TAG_LEN: u64 = 16;
/// Stream header bytes.
pub const HEADER_LEN: u64 = 16;
/// The most packages one stream may hold (the package number has 31 bits in the nonce).
pub const MAX_PACKAGES: u64 = 1 << 31;

/// Stored bytes of one full package.
pub(crate) const SEALED_PACKAGE: u64 = PACKAGE_SIZE + TAG_LEN;

/// The number of packages of a plaintext of `n` bytes (at least one: an empty plaintext is
/// one empty final package).
pub fn package_count(n: u64) -> u64 {
    n.div_ceil(PACKAGE_SIZE).max(1)
}

/// The stored size of a plaintext of `n` bytes.
pub fn stored_size(n: u64) -> Result<u64, SizeError> {
    let packages = package_count(n);
    if packages > MAX_PACKAGES {
        return Err(SizeError::TooLarge(n));
    }
    // n < 2^47 here, so this cannot overflow.
    Ok(HEADER_LEN + n + TAG_LEN * packages)
}

/// The plaintext size of a stream of `stored` bytes (the inverse of [`stored_size`]).
pub fn plaintext_size(stored: u64) -> Result<u64, SizeError> {
    let not = || SizeError::NotAStoredSize(stored);
    let body = stored.checked_sub(HEADER_LEN).ok_or_else(not)?;
    let (full, rest) = (body / SEALED_PACKAGE, body % SEALED_PACKAGE);
    let n = match (full, rest) {
        (0, TAG_LEN) => 0,
        (full, 0) if full >= 1 => full * PACKAGE_SIZE,
        (full, rest) if rest > TAG_LEN => full * PACKAGE_SIZE + rest - TAG_LEN,
        _ => return Err(not()),
    };
    if package_count(n) > MAX_PACKAGES {
        return Err(SizeError::TooLarge(n));
    }
    Ok(n)
}
