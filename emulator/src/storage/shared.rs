//! Copy-on-write sharing of a table's maps (its items, each index's entries).
//!
//! A copy of a table's data (a snapshot, a fork, a backup) shares its maps
//! rather than cloning them, so forking a seeded fixture costs the tables,
//! not the items. The first write to a shared map copies it once (the items
//! themselves stay shared: a copy holds the same `StoredItem`s); a map held
//! once is written in place, which costs one atomic load per write.

use std::ops::Deref;
use triomphe::Arc;

/// A value shared by reference count, copied on its first write while shared.
#[derive(Default)]
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    pub fn new(value: T) -> Shared<T> {
        Shared(Arc::new(value))
    }
}

impl<T: Clone> Shared<T> {
    /// The value for writing: copied first if another holder shares it.
    pub fn make_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Shared<T> {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'a, T> IntoIterator for &'a Shared<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        (&*self.0).into_iter()
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn a_copy_shares_until_one_side_writes() {
        let mut original = Shared::new(BTreeMap::from([(1, "a")]));
        let mut copy = original.clone();
        assert!(std::ptr::eq(&*original, &*copy));
        copy.make_mut().insert(2, "b");
        assert!(!std::ptr::eq(&*original, &*copy));
        assert_eq!(original.len(), 1);
        assert_eq!(copy.len(), 2);
        // Held once, it is written in place.
        let before: *const BTreeMap<i32, &str> = &*original;
        original.make_mut().insert(3, "c");
        assert!(std::ptr::eq(before, &*original));
        assert_eq!((&original).into_iter().map(|(k, _)| *k).collect::<Vec<_>>(), [1, 3]);
    }
}
