//! Child processes of the local stack (moto_server, cargo-lambda, the function
//! binaries). Each runs in its own process group, with its output in a log file
//! outside the checkout, and is stopped with its whole group when its [`Child`]
//! is dropped: on success, on error, on panic and on Ctrl-C. On Linux the kernel
//! also kills it if the thread that started it dies (`PR_SET_PDEATHSIG`), so not
//! even a killed parent leaves a server behind.

use std::fs::File;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// A running child process (and its process group).
#[derive(Debug)]
pub struct Child {
    name: String,
    log: PathBuf,
    inner: Option<std::process::Child>,
}

impl Child {
    /// Starts `command` in a new process group, stdin closed, stdout and stderr
    /// appended to `log`.
    pub fn spawn(name: &str, mut command: Command, log: &Path) -> io::Result<Child> {
        let out = File::options().create(true).append(true).open(log)?;
        let err = out.try_clone()?;
        command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        // SAFETY: the closure only calls async-signal-safe functions (prctl, getppid).
        unsafe {
            command.pre_exec(|| {
                #[cfg(target_os = "linux")]
                {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    if libc::getppid() == 1 {
                        return Err(io::Error::other("the parent exited already"));
                    }
                }
                Ok(())
            });
        }
        let inner = command
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("cannot start {name}: {e}")))?;
        Ok(Child {
            name: name.to_string(),
            log: log.to_path_buf(),
            inner: Some(inner),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The process id (also its process group id).
    pub fn pid(&self) -> Option<u32> {
        self.inner.as_ref().map(std::process::Child::id)
    }

    pub fn log(&self) -> &Path {
        &self.log
    }

    /// Fails when the process has exited, quoting the end of its log.
    pub fn check_running(&mut self) -> io::Result<()> {
        let Some(child) = self.inner.as_mut() else {
            return Err(io::Error::other(format!("{} was stopped", self.name)));
        };
        match child.try_wait()? {
            None => Ok(()),
            Some(status) => Err(io::Error::other(format!(
                "{} exited ({status}); the end of its log {}:\n{}",
                self.name,
                self.log.display(),
                log_tail(&self.log, 20)
            ))),
        }
    }

    /// Stops the process group: SIGTERM, then SIGKILL after a grace period.
    pub fn stop(&mut self) {
        let Some(mut child) = self.inner.take() else {
            return;
        };
        let group = child.id() as libc::pid_t;
        signal_group(group, libc::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            sleep(Duration::from_millis(25));
        }
        // The leader may be gone while others of its group live on: kill them all.
        signal_group(group, libc::SIGKILL);
        let _ = child.wait();
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        self.stop();
    }
}

fn signal_group(group: libc::pid_t, signal: libc::c_int) {
    if group > 0 {
        // SAFETY: kill(2) with a negative pid signals that process group only.
        unsafe {
            libc::kill(-group, signal);
        }
    }
}

/// Whether any process of the process group `group` is still running (zombies
/// waiting for their reaper do not count), from `/proc`.
pub fn group_alive(group: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|entry| {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after ')'.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        fields.len() > 2 && fields[0] != "Z" && fields[2] == group.to_string()
    })
}

/// The last `lines` lines of a log file (empty when unreadable).
pub fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopping_a_child_ends_its_whole_process_group() {
        let log =
            std::env::temp_dir().join(format!("dmsflow-local-process-{}.log", std::process::id()));
        let mut command = Command::new("sh");
        // The shell starts a grandchild in the same group, then waits.
        command.args(["-c", "sleep 30 & wait"]);
        let mut child = Child::spawn("sh", command, &log).unwrap();
        let group = child.pid().unwrap();
        child.check_running().unwrap();
        assert!(group_alive(group));
        child.stop();
        assert!(!group_alive(group));
        assert!(child.check_running().is_err());
        let _ = std::fs::remove_file(log);
    }
}
