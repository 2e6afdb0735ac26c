//! Claiming a session from the store and loading it into a fresh app.

use tokio::time::Instant;

use super::{Refusal, SessionEnv};
use crate::app::AppObject;
use crate::auth::User;
use crate::protocol::{CloseCode, ErrorCode};
use crate::store::{
    Claim, Fence, HANDOVER_POLL, HANDOVER_WAIT, Migration, SEEK_WAIT, SessionStore, record,
};

/// What claiming a session ended with.
pub(super) enum Outcome {
    /// Ours, with its saved state.
    Restored {
        fence: Fence,
        app: Box<dyn AppObject>,
    },
    /// Ours, but its saved state did not load (an incompatible change of the app): it starts
    /// afresh, and its tabs are told `why`.
    Fresh { fence: Fence, why: String },
    /// The store does not know it.
    Unknown,
    /// The tabs waiting for it are closed with `code` (and `error` first).
    Refused {
        code: CloseCode,
        reason: &'static str,
        error: Option<(ErrorCode, String)>,
    },
}

/// Claims session `id` for this instance, waiting (briefly) for a live owner to let it go.
pub(super) async fn claim(
    env: &SessionEnv,
    store: &dyn SessionStore,
    id: &str,
    user: Option<&User>,
) -> Outcome {
    let app_name = env.meta.spec.name;
    let give_up = Instant::now() + HANDOVER_WAIT;
    let unavailable = |message: String| Outcome::Refused {
        code: CloseCode::TryLater,
        reason: "session unavailable",
        error: Some((ErrorCode::Unavailable, message)),
    };
    let began = Instant::now();
    // When the store first said it lost the session and asked the instances for it.
    let mut sought: Option<Instant> = None;
    let (fence, data) = loop {
        let first_ask = sought.is_none();
        match store
            .claim(app_name, id, env.config.idle_timeout, first_ask)
            .await
        {
            Ok(Claim::Taken { fence, data }) => {
                tracing::debug!(waited = ?began.elapsed(), "claimed a session");
                break (fence, data);
            }
            Ok(Claim::Unknown) => return Outcome::Unknown,
            // The store lost it lately, and another instance may run it: it saves it again.
            Ok(Claim::Sought) if sought.get_or_insert_with(Instant::now).elapsed() < SEEK_WAIT => {
                tokio::time::sleep(HANDOVER_POLL).await;
            }
            Ok(Claim::Sought) => return Outcome::Unknown,
            Ok(Claim::Busy) if Instant::now() < give_up => {
                tokio::time::sleep(HANDOVER_POLL).await;
            }
            Ok(Claim::Busy) => {
                tracing::warn!("a session's owner did not let it go in time");
                return unavailable(
                    "this session is busy on another server; retrying shortly".to_owned(),
                );
            }
            // A link that broke (Redis restarted) is made again on the next command.
            Err(e) if Instant::now() < give_up => {
                tracing::debug!("cannot claim a session yet: {e}");
                tokio::time::sleep(HANDOVER_POLL * 5).await;
            }
            Err(e) => {
                tracing::error!("cannot claim a session: {e}");
                return unavailable(
                    "the session store cannot be reached; retrying shortly".to_owned(),
                );
            }
        }
    };
    // On a protected app a session is its user's only.
    let owner = record::owner(&data).ok().flatten();
    if owner.as_deref() != user.map(|u| u.id.as_str()) {
        tracing::warn!("refused a tab: it asked for another user's stored session");
        if let Err(e) = store.release(app_name, id, fence).await {
            tracing::warn!("cannot let a session go: {e}");
        }
        return Outcome::Refused {
            code: CloseCode::NotYours,
            reason: "not your session",
            error: Some((ErrorCode::Forbidden, Refusal::NotYours.message())),
        };
    }
    let mut app = (env.meta.new)();
    let migrate = env.migration.as_ref();
    match load(app.as_mut(), &data, env.version, migrate) {
        Ok(()) => Outcome::Restored { fence, app },
        Err(e) => {
            tracing::warn!(
                app = app_name,
                "a saved session does not load into this version of the app; it starts afresh: {e}"
            );
            Outcome::Fresh {
                fence,
                why: "This app was updated and your session could not be carried over: it starts afresh.".to_owned(),
            }
        }
    }
}

/// Loads a stored record into `app` (a fresh one), through `migrate` when it was saved under
/// another version. On an error `app` may be half restored: start from a fresh one.
pub(crate) fn load(
    app: &mut dyn AppObject,
    data: &[u8],
    version: u32,
    migrate: Option<&Migration>,
) -> Result<(), String> {
    let r = record::parse(data)?;
    let migrated = record::migrated(&r, version, migrate)?;
    let r = match &migrated {
        Some(data) => record::parse(data).map_err(|e| format!("after the migration: {e}"))?,
        None => r,
    };
    let meta = app.meta();
    for (i, w) in meta.spec.widgets.iter().enumerate() {
        let (Some(raw), Some(widget)) = (r.widgets.get(w.key), app.widget_mut(i)) else {
            continue;
        };
        widget
            .restore(raw.get().as_bytes())
            .map_err(|e| format!("widget `{}`: {e}", w.key))?;
        if let Some(saved) = r.saved.get(w.key) {
            widget
                .restore_saved(saved.get().as_bytes())
                .map_err(|e| format!("widget `{}`: {e}", w.key))?;
        }
    }
    if meta.has_state
        && let Some(state) = r.state
    {
        app.restore_state(state.get().as_bytes())
            .map_err(|e| format!("the #[state] fields: {e}"))?;
    }
    Ok(())
}
