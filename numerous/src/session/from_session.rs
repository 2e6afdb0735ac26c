//! Handler parameters built from the session for each call (`db: Res<Pool>`).

use std::any::TypeId;

use super::Session;
use crate::resources::Res;

/// What a handler parameter other than the context and a message can be: built from the session
/// for each call. Implemented by [`Res`].
#[doc(hidden)]
pub trait FromSession: Sized {
    /// The resource this needs: its type id and name, checked at start-up.
    fn key() -> (TypeId, &'static str);
    /// Builds it; the start-up check guarantees it is there.
    fn from_session(ctx: &Session) -> Self;
}

impl<T: Send + Sync + 'static> FromSession for Res<T> {
    fn key() -> (TypeId, &'static str) {
        (TypeId::of::<T>(), std::any::type_name::<T>())
    }

    fn from_session(ctx: &Session) -> Self {
        ctx.resource::<T>().unwrap_or_else(|| {
            panic!(
                "the resource `{}` is not registered (Options::resource)",
                std::any::type_name::<T>()
            )
        })
    }
}
