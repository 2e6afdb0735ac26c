//! Typed resources shared by every session of an app (a database pool, configuration, an HTTP
//! client): registered once with [`Options::resource`](crate::Options::resource), reached from
//! handlers as a `Res<T>` parameter and from your own axum routes as a `Res<T>` extractor.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;

/// A shared resource of type `T`, as a handler parameter or an axum extractor:
///
/// ```no_run
/// # use numerous::prelude::*;
/// # #[derive(Debug)] struct Db;
/// # impl Db { fn save(&self, _: &str) {} }
/// # #[numerous::app(template = "job.html")]
/// # struct Job { progress: Slider, start: Button }
/// #[numerous::handlers]
/// impl Job {
///     #[on_click(start)]
///     fn start(&mut self, db: Res<Db>) {
///         db.save("started");
///     }
/// }
/// fn main() {
///     numerous::run_with::<Job>(|options| options.resource(Db));
/// }
/// ```
///
/// A handler that takes a `Res<T>` whose `T` was never registered stops the server at start-up
/// with a message naming both.
pub struct Res<T: ?Sized>(Arc<T>);

impl<T: ?Sized> Clone for Res<T> {
    fn clone(&self) -> Self {
        Res(self.0.clone())
    }
}

impl<T: ?Sized> Deref for Res<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Res<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T> Res<T> {
    /// The shared value itself.
    pub fn arc(&self) -> &Arc<T> {
        &self.0
    }
}

type Entry = (Arc<dyn Any + Send + Sync>, &'static str);

/// The resources of an app, by type.
#[derive(Clone, Default)]
pub struct Resources(Arc<HashMap<TypeId, Entry>>);

impl fmt::Debug for Resources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl Resources {
    /// Adds (or replaces) the resource of type `T`.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        Arc::make_mut(&mut self.0).insert(
            TypeId::of::<T>(),
            (Arc::new(value), std::any::type_name::<T>()),
        );
    }

    /// The resource of type `T`, if registered.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<Res<T>> {
        let (any, _) = self.0.get(&TypeId::of::<T>())?;
        any.clone().downcast::<T>().ok().map(Res)
    }

    pub(crate) fn contains(&self, id: TypeId) -> bool {
        self.0.contains_key(&id)
    }

    /// The type names of the resources, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names: Vec<_> = self.0.values().map(|(_, n)| *n).collect();
        names.sort_unstable();
        names
    }
}

/// `Res<T>` in your own axum routes (served with the app through
/// [`Options::routes`](crate::Options::routes)).
impl<S: Send + Sync, T: Send + Sync + 'static> FromRequestParts<S> for Res<T> {
    type Rejection = (StatusCode, String);

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Resources>()
            .and_then(Resources::get::<T>)
            .ok_or_else(|| {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!(
                        "the resource `{}` is not registered (Options::resource)",
                        std::any::type_name::<T>()
                    ),
                )
            })
    }
}

/// What work not tied to a session can reach: the app's resources and its topics.
#[derive(Clone, Debug)]
pub struct AppContext {
    /// The app's shared resources.
    pub resources: Resources,
    /// Publishes on the app's topics.
    pub publisher: crate::topics::Publisher,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_type() {
        let mut r = Resources::default();
        r.insert(5u32);
        r.insert(String::from("db"));
        assert_eq!(*r.get::<u32>().unwrap(), 5);
        assert_eq!(&*r.get::<String>().unwrap(), "db");
        assert!(r.get::<u64>().is_none());
        assert_eq!(r.names(), ["alloc::string::String", "u32"]);
    }
}
