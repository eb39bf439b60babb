//! A bounded buffer: the newest `cap` items, oldest dropped first.

use std::collections::VecDeque;

#[derive(Debug, Clone)]
pub struct Ring<T> {
    items: VecDeque<T>,
    cap: usize,
}

impl<T> Ring<T> {
    pub fn new(cap: usize) -> Self {
        Self {
            items: VecDeque::new(),
            cap: cap.max(1),
        }
    }

    /// Append, returning the item evicted to make room, if any.
    pub fn push(&mut self, item: T) -> Option<T> {
        let evicted = if self.items.len() == self.cap {
            self.items.pop_front()
        } else {
            None
        };
        self.items.push_back(item);
        evicted
    }

    /// Insert keeping the items ordered by `key` (a late item goes before newer ones; it is
    /// found from the back, where late items land). Returns the item evicted, if any.
    pub fn insert_by_key<K: Ord>(&mut self, item: T, key: impl Fn(&T) -> K) -> Option<T> {
        let k = key(&item);
        let pos = self
            .items
            .iter()
            .rposition(|x| key(x) <= k)
            .map_or(0, |i| i + 1);
        if self.items.len() == self.cap && pos == 0 {
            // older than everything kept in a full ring: it is what would be evicted
            return Some(item);
        }
        self.items.insert(pos, item);
        if self.items.len() > self.cap {
            self.items.pop_front()
        } else {
            None
        }
    }

    /// The newest item matching `f`, searched from the back.
    pub fn find_last_mut(&mut self, f: impl Fn(&T) -> bool) -> Option<&mut T> {
        self.items.iter_mut().rev().find(|x| f(x))
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.items.iter()
    }

    pub fn last(&self) -> Option<&T> {
        self.items.back()
    }

    pub fn last_mut(&mut self) -> Option<&mut T> {
        self.items.back_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_newest() {
        let mut r = Ring::new(3);
        for i in 0..5 {
            r.push(i);
        }
        assert_eq!(r.iter().copied().collect::<Vec<_>>(), vec![2, 3, 4]);
        assert_eq!(r.push(5), Some(2));
        assert_eq!(r.len(), 3);
    }
}
