//! Peak memory of a process: `VmHWM` ("high water mark" of the resident set) in
//! `/proc/<pid>/status`.

/// The value of a `kB` field of a `/proc/<pid>/status` text, in kB (KiB).
pub fn field_kb(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        if name.trim() != field {
            return None;
        }
        let mut parts = value.split_whitespace();
        let number = parts.next()?.parse().ok()?;
        (parts.next() == Some("kB")).then_some(number)
    })
}

/// The peak resident set of a live process, in bytes.
pub fn peak_rss_bytes(pid: u32) -> Result<u64, String> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    field_kb(&status, "VmHWM")
        .map(|kb| kb * 1024)
        .ok_or_else(|| format!("{path} has no VmHWM"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Name:\tbootstrap\nUmask:\t0022\nVmPeak:\t  620140 kB\nVmHWM:\t    9876 kB\nVmRSS:\t    9500 kB\nThreads:\t2\n";

    #[test]
    fn vmhwm_is_read_in_kb() {
        assert_eq!(field_kb(STATUS, "VmHWM"), Some(9876));
        assert_eq!(field_kb(STATUS, "VmRSS"), Some(9500));
        assert_eq!(field_kb(STATUS, "Threads"), None, "not a kB field");
        assert_eq!(field_kb(STATUS, "VmSwap"), None);
        assert_eq!(field_kb("VmHWM:\tlots kB\n", "VmHWM"), None);
    }

    #[test]
    fn the_peak_of_this_process_is_at_least_its_current_resident_set() {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let rss = field_kb(&status, "VmRSS").unwrap();
        let peak = peak_rss_bytes(std::process::id()).unwrap();
        assert!(peak >= rss * 1024, "{peak} < {rss} kB");
    }
}
