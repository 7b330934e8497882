//! Footprint and CPU time of processes, read from /proc and getrusage.

use std::time::Duration;

/// Resident set size of a process (`VmRSS` in /proc/PID/status), in bytes.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    parse_kib_field(line).map(|kib| kib * 1024)
}

/// Proportional set size (`Pss` in /proc/PID/smaps_rollup), in bytes: the
/// resident pages with each shared page (the C library's, say) divided among
/// the processes mapping it, so what the process itself costs the machine.
pub fn pss_bytes(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let line = rollup.lines().find(|l| l.starts_with("Pss:"))?;
    parse_kib_field(line).map(|kib| kib * 1024)
}

/// `VmRSS:    1234 kB` → 1234.
fn parse_kib_field(line: &str) -> Option<u64> {
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time (user + system, all threads) a process has used so far.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let ticks = parse_stat_ticks(&stat)?;
    Some(Duration::from_secs_f64(ticks as f64 / clock_ticks_per_second()))
}

/// CPU time of a process's live threads to the nanosecond (the scheduler's
/// own count, /proc/PID/task/*/schedstat), for spans too short for
/// [`cpu_time`]'s 10 ms ticks. Threads that have exited are not counted.
pub fn cpu_time_exact(pid: u32) -> Option<Duration> {
    let mut nanos = 0u64;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()?.flatten() {
        // A thread may exit between listing and reading: it is skipped.
        let Ok(schedstat) = std::fs::read_to_string(task.path().join("schedstat")) else { continue };
        nanos += schedstat.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
    }
    Some(Duration::from_nanos(nanos))
}

/// utime + stime from a /proc/PID/stat line. The command name (field 2) may
/// contain spaces and parentheses, so fields are counted after the last ')'.
fn parse_stat_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After the name: state is field 3, utime field 14, stime field 15.
    let utime: u64 = fields.get(14 - 3)?.parse().ok()?;
    let stime: u64 = fields.get(15 - 3)?.parse().ok()?;
    Some(utime + stime)
}

fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

/// CPU time every process of the machine has used (all of `/proc/stat`'s
/// `cpu` line but idle and iowait).
pub fn machine_busy_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    parse_machine_busy(stat.lines().next()?)
}

fn parse_machine_busy(line: &str) -> Option<Duration> {
    let ticks: Vec<u64> = line.strip_prefix("cpu ")?.split_whitespace().filter_map(|t| t.parse().ok()).collect();
    let (idle, iowait) = (*ticks.get(3)?, *ticks.get(4)?);
    let busy = ticks.iter().sum::<u64>() - idle - iowait;
    Some(Duration::from_secs_f64(busy as f64 / clock_ticks_per_second()))
}

/// CPU time (user + system) of this process: the load generator's cost.
pub fn own_cpu_time() -> Duration {
    // SAFETY: getrusage writes into the zeroed struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stat_ticks_past_a_tricky_command_name() {
        let stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 30 0 100 0 0";
        assert_eq!(parse_stat_ticks(stat), Some(287));
        assert_eq!(parse_stat_ticks("garbage"), None);
    }

    #[test]
    fn reads_machine_busy_time() {
        let busy = parse_machine_busy("cpu  100 5 20 900 30 1 2 0 0 0").expect("cpu line");
        assert_eq!(busy, Duration::from_secs_f64(128.0 / clock_ticks_per_second()));
        assert_eq!(parse_machine_busy("intr 1 2 3"), None);
        assert!(machine_busy_time().is_some());
    }

    #[test]
    fn reads_rss_field() {
        assert_eq!(parse_kib_field("VmRSS:\t    5120 kB"), Some(5120));
        assert_eq!(parse_kib_field("VmRSS:"), None);
    }

    #[test]
    fn measures_this_process() {
        let pid = std::process::id();
        assert!(rss_bytes(pid).is_some_and(|b| b > 0));
        assert!(pss_bytes(pid).is_some_and(|b| b > 0));
        assert!(cpu_time(pid).is_some());
    }

    #[test]
    fn counts_cpu_to_the_nanosecond() {
        let pid = std::process::id();
        let before = cpu_time_exact(pid).expect("schedstat");
        let spin = std::time::Instant::now();
        let mut x = 0u64;
        while spin.elapsed() < Duration::from_millis(20) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        // A sleep switches this thread out, which brings its count up to date.
        std::thread::sleep(Duration::from_millis(1));
        let used = cpu_time_exact(pid).expect("schedstat").saturating_sub(before);
        assert!(used >= Duration::from_millis(10), "{used:?}");
    }
}
