//! A real SMTP server for the tests: `aiosmtpd` (PyPI) in its own process, storing what it
//! receives in a Maildir the test reads and parses.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

pub struct SmtpServer {
    pub port: u16,
    child: Child,
    maildir: tempfile::TempDir,
}

/// Whether `python3 -m aiosmtpd` can run here. Without it the SMTP tests skip with a message,
/// unless EVDMS_TEST_REQUIRE_SERVICES=1, which makes them fail.
pub fn available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            !kernel::testing::services_required(),
            "python3 with aiosmtpd is required (python3 -m pip install aiosmtpd) but EVDMS_TEST_REQUIRE_SERVICES=1"
        );
        eprintln!(
            "skipping: python3 with aiosmtpd is not available (python3 -m pip install aiosmtpd)"
        );
    }
    ok
}

/// A port nothing listens on (yet).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl SmtpServer {
    pub async fn start() -> Self {
        Self::start_on(free_port()).await
    }

    /// Starts the server on `port`, storing mail in a fresh Maildir; returns once it accepts.
    pub async fn start_on(port: u16) -> Self {
        let maildir = tempfile::tempdir().unwrap();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail")) // Maildir creates its layout only in a new directory
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting aiosmtpd");
        // Owned before waiting, so a failure below still kills it (Drop).
        let server = Self {
            port,
            child,
            maildir,
        };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not listen on {port}");
    }

    /// Every message received so far, raw.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.maildir.path().join("mail").join(sub)) {
                for entry in entries.flatten() {
                    if let Ok(bytes) = std::fs::read(entry.path()) {
                        out.push(bytes);
                    }
                }
            }
        }
        out
    }

    /// The settings that send the app's email here.
    pub fn settings(port: u16) -> Vec<(&'static str, String)> {
        vec![
            ("EVDMS__NOTIFICATION__SMTP_HOST", "127.0.0.1".to_owned()),
            ("EVDMS__NOTIFICATION__SMTP_PORT", port.to_string()),
            ("EVDMS__NOTIFICATION__SMTP_TLS", "none".to_owned()),
            ("EVDMS__NOTIFICATION__SMTP_TIMEOUT_SECS", "2".to_owned()),
        ]
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
