//! Selection by identity: a list remembers *which* row is selected (a service key, a task ARN,
//! an event id, ...), never only where it was. Worst-first lists re-sort on every poll
//! mid-incident; the view finds the selected row again when it draws ([`resolve`]), and an
//! action (open, write, copy) acts on the identity drawn, never on an index. When the selected
//! row disappears, its neighbour at the same place is selected and the footer says so.

/// What a list holds as its selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection<K> {
    /// The selected row's identity; `None` until a row is drawn under it (then it is filled
    /// in), or while a list follows its newest row.
    pub id: Option<K>,
    /// Where the row was when last drawn: the neighbour chosen when it disappears.
    pub at: usize,
}

impl<K> Default for Selection<K> {
    fn default() -> Self {
        Self { id: None, at: 0 }
    }
}

impl<K> Selection<K> {
    /// Following the newest (last) row: no identity, the last place.
    pub fn follow_last() -> Self {
        Self {
            id: None,
            at: usize::MAX,
        }
    }

    pub fn follows_last(&self) -> bool {
        self.id.is_none() && self.at == usize::MAX
    }

    /// Select a place; the identity is filled in once it is drawn.
    pub fn at(at: usize) -> Self {
        Self { id: None, at }
    }
}

/// A list's selection as drawn: how many rows, the row the selection resolved to, and the ids of
/// the rows around it (a page either side: every move a key can make stays within them, except
/// top and bottom, which select by place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<K> {
    pub len: usize,
    pub index: Option<usize>,
    /// The selected identity was not found among the rows: it is gone, and `index` is its
    /// neighbour.
    pub gone: Option<K>,
    /// Ids of the rows `start..start + ids.len()`.
    pub start: usize,
    pub ids: Vec<K>,
}

impl<K> Default for Resolved<K> {
    fn default() -> Self {
        Self {
            len: 0,
            index: None,
            gone: None,
            start: 0,
            ids: Vec::new(),
        }
    }
}

impl<K> Resolved<K> {
    /// The id of row `i`, when it is near the selection.
    pub fn get(&self, i: usize) -> Option<&K> {
        i.checked_sub(self.start).and_then(|j| self.ids.get(j))
    }

    /// The selected row's id.
    pub fn id(&self) -> Option<&K> {
        self.index.and_then(|i| self.get(i))
    }
}

/// Find `sel` among `rows`: the row whose identity it holds (`is`), else — the row gone, or no
/// identity yet — the row at its last place (the last row when the list got shorter). The ids of
/// the rows within `page` of the result are kept (`id_of`), for the next move.
pub fn resolve<T, K: Clone>(
    sel: &Selection<K>,
    rows: &[T],
    is: impl Fn(&T, &K) -> bool,
    id_of: impl Fn(&T) -> K,
    page: usize,
) -> Resolved<K> {
    let len = rows.len();
    if len == 0 {
        return Resolved::default();
    }
    let found = sel
        .id
        .as_ref()
        .and_then(|k| rows.iter().position(|r| is(r, k)));
    let index = found.unwrap_or(sel.at.min(len - 1));
    let gone = match found {
        None => sel.id.clone(),
        Some(_) => None,
    };
    let start = index.saturating_sub(page);
    let end = (index + page + 1).min(len);
    Resolved {
        len,
        index: Some(index),
        gone,
        start,
        ids: rows[start..end].iter().map(id_of).collect(),
    }
}

/// [`resolve`] for a list whose rows are their ids.
pub fn resolve_ids<K: Clone + PartialEq>(
    sel: &Selection<K>,
    ids: &[K],
    page: usize,
) -> Resolved<K> {
    resolve(sel, ids, |a, b| a == b, K::clone, page)
}

/// A key's move within a list of `len` rows, from `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
}

/// The selection after `m`: the identity of the row it lands on (or its place, when that row
/// is not among the ids kept).
pub fn moved<K: Clone>(r: &Resolved<K>, m: Move, page: usize) -> Selection<K> {
    let Some(from) = r.index else {
        return Selection::default();
    };
    let last = r.len.saturating_sub(1);
    let to = match m {
        Move::Up => from.saturating_sub(1),
        Move::Down => (from + 1).min(last),
        Move::PageUp => from.saturating_sub(page),
        Move::PageDown => (from + page).min(last),
        Move::Top => 0,
        Move::Bottom => last,
    };
    Selection {
        id: r.get(to).cloned(),
        at: to,
    }
}

/// After a draw: the selection holds what was drawn under it (its identity filled in, or its
/// neighbour's when it was gone). Returns the identity that disappeared, if one did. A list
/// following its last row keeps following.
pub fn settle<K: Clone + PartialEq>(sel: &mut Selection<K>, r: &Resolved<K>) -> Option<K> {
    if sel.follows_last() {
        return None;
    }
    let Some(index) = r.index else {
        // an empty list: keep the identity, it may come back
        return None;
    };
    let gone = r.gone.clone();
    sel.id = r.id().cloned();
    sel.at = index;
    gone
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn sel(id: &str, at: usize) -> Selection<String> {
        Selection {
            id: Some(id.into()),
            at,
        }
    }

    #[test]
    fn a_re_sort_keeps_the_selected_row() {
        // checkout-api was second; it is first after the re-sort
        let before = ids(&["search-api", "checkout-api", "cart"]);
        let r = resolve_ids(&sel("checkout-api", 1), &before, 10);
        assert_eq!(r.index, Some(1));
        let after = ids(&["checkout-api", "search-api", "cart"]);
        let mut s = sel("checkout-api", 1);
        let r = resolve_ids(&s, &after, 10);
        assert_eq!(r.index, Some(0));
        assert_eq!(r.id().map(String::as_str), Some("checkout-api"));
        assert_eq!(settle(&mut s, &r), None);
        assert_eq!(s, sel("checkout-api", 0));
    }

    #[test]
    fn a_removed_row_selects_its_neighbour_and_says_so() {
        let mut s = sel("b", 1);
        let r = resolve_ids(&s, &ids(&["a", "c", "d"]), 10);
        assert_eq!(r.index, Some(1));
        assert_eq!(settle(&mut s, &r), Some("b".to_string()));
        assert_eq!(s, sel("c", 1));
        // the last row removed: the new last one
        let mut s = sel("d", 3);
        let r = resolve_ids(&s, &ids(&["a", "b", "c"]), 10);
        assert_eq!(settle(&mut s, &r), Some("d".to_string()));
        assert_eq!(s, sel("c", 2));
    }

    #[test]
    fn an_empty_list_keeps_the_identity() {
        let mut s = sel("b", 1);
        let r = resolve_ids(&s, &[], 10);
        assert_eq!(r.index, None);
        assert_eq!(settle(&mut s, &r), None);
        assert_eq!(s, sel("b", 1));
        // it comes back where it is
        let r = resolve_ids(&s, &ids(&["x", "y", "b"]), 10);
        assert_eq!(r.index, Some(2));
    }

    #[test]
    fn moves_land_on_identities_top_and_bottom_on_places() {
        let list: Vec<String> = (0..100).map(|i| format!("s{i}")).collect();
        let s = sel("s50", 50);
        let r = resolve_ids(&s, &list, 10);
        assert_eq!(moved(&r, Move::Down, 10), sel("s51", 51));
        assert_eq!(moved(&r, Move::Up, 10), sel("s49", 49));
        assert_eq!(moved(&r, Move::PageDown, 10), sel("s60", 60));
        assert_eq!(moved(&r, Move::PageUp, 10), sel("s40", 40));
        // far away: by place, filled in when drawn
        let top = moved(&r, Move::Top, 10);
        assert_eq!(top, Selection::at(0));
        let mut s = top;
        let r = resolve_ids(&s, &list, 10);
        settle(&mut s, &r);
        assert_eq!(s, sel("s0", 0));
        let r = resolve_ids(&s, &list, 10);
        let bottom = moved(&r, Move::Bottom, 10);
        assert_eq!(bottom, Selection::at(99));
    }

    #[test]
    fn no_identity_yet_is_a_place_then_an_identity() {
        let mut s: Selection<String> = Selection::default();
        let r = resolve_ids(&s, &ids(&["a", "b"]), 5);
        assert_eq!(r.index, Some(0));
        assert_eq!(settle(&mut s, &r), None);
        assert_eq!(s, sel("a", 0));
        // a re-sort now carries "a" along
        let r = resolve_ids(&s, &ids(&["b", "a"]), 5);
        assert_eq!(r.index, Some(1));
    }

    #[test]
    fn following_the_last_row_keeps_following() {
        let mut s: Selection<String> = Selection::follow_last();
        let r = resolve_ids(&s, &ids(&["a", "b"]), 5);
        assert_eq!(r.index, Some(1));
        assert_eq!(settle(&mut s, &r), None);
        assert!(s.follows_last());
        let r = resolve_ids(&s, &ids(&["a", "b", "c"]), 5);
        assert_eq!(r.index, Some(2));
    }
}
