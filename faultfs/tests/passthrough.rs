//! The live view is a plain passthrough: what is written is read back, byte for byte.

mod common;

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};

use common::{pattern, read, tree, write, Fixture};

#[test]
fn files_dirs_renames_and_unlinks_show_through_to_the_backing_directory() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    fs::create_dir_all(fx.at("a/b/c")).unwrap();
    write(&fx.at("a/b/c/one"), b"hello");
    write(&fx.at("a/two"), b"world");
    fs::rename(fx.at("a/two"), fx.at("a/b/three")).unwrap();
    write(&fx.at("gone"), b"x");
    fs::remove_file(fx.at("gone")).unwrap();
    fs::create_dir(fx.at("empty")).unwrap();
    fs::remove_dir(fx.at("empty")).unwrap();
    assert_eq!(read(&fx.at("a/b/c/one")).unwrap(), b"hello");
    assert_eq!(read(&fx.at("a/b/three")).unwrap(), b"world");
    assert!(fx.at("a/two").symlink_metadata().is_err());
    let expected = vec!["a/", "a/b/", "a/b/c/", "a/b/c/one", "a/b/three"];
    assert_eq!(tree(&fx.mnt), expected);
    assert_eq!(tree(&fx.backing), expected);
    fs_.unmount().unwrap();
    assert_eq!(read(&fx.backing_at("a/b/three")).unwrap(), b"world");
}
