//! A value built by its first use, once, and shared by every clone: what the
//! functions defer from cold start to the first call that needs it (the HTTPS
//! client, the CloudWatch client).

use std::fmt;
use std::sync::{Arc, OnceLock};

/// `T`, built by `build` the first time [`OnFirstUse::get`] is called.
pub struct OnFirstUse<T> {
    inner: Arc<Inner<T>>,
}

struct Inner<T> {
    build: Box<dyn Fn() -> T + Send + Sync>,
    built: OnceLock<T>,
}

impl<T> OnFirstUse<T> {
    pub fn new(build: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Self {
            inner: Arc::new(Inner {
                build: Box::new(build),
                built: OnceLock::new(),
            }),
        }
    }

    /// The value, built now if this is its first use.
    pub fn get(&self) -> &T {
        self.inner.built.get_or_init(|| (self.inner.build)())
    }

    /// Whether the value has been built yet.
    pub fn is_built(&self) -> bool {
        self.inner.built.get().is_some()
    }
}

impl<T> Clone for OnFirstUse<T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for OnFirstUse<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnFirstUse")
            .field("built", &self.inner.built.get())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn built_by_the_first_use_once_for_every_clone() {
        let builds = Arc::new(AtomicUsize::new(0));
        let counter = builds.clone();
        let value = OnFirstUse::new(move || counter.fetch_add(1, Ordering::SeqCst) + 41);
        let clone = value.clone();
        assert!(!value.is_built());
        assert_eq!(builds.load(Ordering::SeqCst), 0);

        assert_eq!(*clone.get(), 41);
        assert_eq!(*value.get(), 41);

        assert!(value.is_built());
        assert_eq!(builds.load(Ordering::SeqCst), 1);
    }
}
