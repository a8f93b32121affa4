//! Rough throughput of the mount: `cargo run -p strata-faultfs --example throughput [MiB]`.
//! Writes a file in 1 MiB pwrites, fsyncs it, reads it back, and prints the rates.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::time::Instant;

use strata_faultfs::{FaultFs, MountOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mib: u64 = std::env::args().nth(1).map_or(Ok(256), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let (backing, mnt) = (dir.path().join("backing"), dir.path().join("mnt"));
    std::fs::create_dir(&backing)?;
    std::fs::create_dir(&mnt)?;
    let fs = FaultFs::mount(&backing, &mnt, MountOptions::default())?;
    let chunk = vec![0x5au8; 1 << 20];
    let f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(mnt.join("f"))?;
    let t = Instant::now();
    for i in 0..mib {
        f.write_all_at(&chunk, i << 20)?;
    }
    let write = t.elapsed();
    let t = Instant::now();
    f.sync_all()?;
    let sync = t.elapsed();
    drop(f);
    let t = Instant::now();
    let mut buf = Vec::new();
    File::open(mnt.join("f"))?.read_to_end(&mut buf)?;
    let read = t.elapsed();
    let rate = |d: std::time::Duration| mib as f64 / d.as_secs_f64();
    println!("{mib} MiB: write {write:?} ({:.0} MiB/s), fsync {sync:?}, read {read:?} ({:.0} MiB/s), {} ops", rate(write), rate(read), fs.ops());
    fs.unmount()?;
    Ok(())
}
