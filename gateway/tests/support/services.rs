//! Real servers a test starts beside strata (moto, Azurite, nginx, HAProxy), stopped when
//! the test ends, and the tests' Python. Each test file uses some of it.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use strata_tests::required_env;

/// A server process of a test, stopped when dropped: SIGTERM first (nginx's master stops its
/// workers only then; killed outright, it leaves them running), SIGKILL after 10 s.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.0.id()) {
            // SAFETY: kill(2) on the pid of a child not yet waited for.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `program ARGS`, output discarded.
pub fn start(program: &str, args: &[&str]) -> Running {
    let child = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {program}: {e}"));
    Running(child)
}

/// A moto server on `port` with the bucket `cold`.
pub fn moto(port: u16) -> Running {
    let moto = start(
        &required_env("STRATA_MOTO_SERVER"),
        &["-H", "127.0.0.1", "-p", &port.to_string()],
    );
    let url = format!("http://127.0.0.1:{port}");
    python(&format!(
        r#"
import time, boto3
s3 = boto3.client('s3', endpoint_url='{url}', aws_access_key_id='testing', aws_secret_access_key='testing', region_name='us-east-1')
deadline = time.time() + 60
while True:
    try:
        s3.create_bucket(Bucket='cold')
        break
    except Exception:
        assert time.time() < deadline, 'moto did not start'
        time.sleep(0.2)
print('ok')
"#
    ));
    moto
}

/// Runs `script` with the tests' Python; it must print `ok` last.
pub fn python(script: &str) -> String {
    let out = Command::new(required_env("STRATA_PYTHON"))
        .args(["-c", script])
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success() && stdout.lines().last() == Some("ok"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
