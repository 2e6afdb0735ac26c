//! What a session's task needs of the app's options, taken from them once, when the app is built
//! (`mount.rs`): the session layer reads no `Options`.

use std::time::Duration;

/// A session's lifetime and limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionConfig {
    /// How long a used session without tabs is kept, at most.
    pub(crate) idle_timeout: Duration,
    /// How long a session no tab ever sent an event is kept.
    pub(crate) unused_timeout: Duration,
    /// Tabs one session may have at once.
    pub(crate) max_tabs: usize,
}

impl SessionConfig {
    /// How long a session without tabs is kept, given whether a tab ever sent it an event and
    /// how long it had tabs open.
    pub(crate) fn keep_idle(&self, used: bool, engaged: Duration) -> Duration {
        let floor = self.unused_timeout.min(self.idle_timeout);
        if !used {
            return floor;
        }
        engaged.saturating_mul(10).clamp(floor, self.idle_timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_used_briefly_are_kept_briefly() {
        // The defaults of Options (30 min idle, 30 s unused).
        let rt = SessionConfig {
            idle_timeout: Duration::from_secs(30 * 60),
            unused_timeout: Duration::from_secs(30),
            max_tabs: 32,
        };
        let min = Duration::from_secs(30);
        assert_eq!(rt.keep_idle(false, Duration::from_secs(3600)), min);
        assert_eq!(rt.keep_idle(true, Duration::from_millis(10)), min);
        assert_eq!(
            rt.keep_idle(true, Duration::from_secs(60)),
            Duration::from_secs(600)
        );
        assert_eq!(
            rt.keep_idle(true, Duration::from_secs(3600)),
            Duration::from_secs(1800)
        );
    }
}
