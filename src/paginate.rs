//! [`Paginator`]: `count`/`offset` paging that stops on `total_items` without an extra request.

/// The paging state of one list walk.
///
/// ```
/// use carecloud_customer::Paginator;
/// let mut p = Paginator::new(100, 0);
/// assert_eq!(p.next_page(), Some((100, 0)));
/// p.advance(100, Some(250));
/// assert_eq!(p.next_page(), Some((100, 100)));
/// p.advance(100, Some(250));
/// p.advance(50, Some(250));
/// assert_eq!(p.next_page(), None); // 250 seen: no fourth request
/// ```
#[derive(Clone, Debug)]
pub struct Paginator {
    page_size: u64,
    offset: u64,
    done: bool,
}

impl Paginator {
    /// Pages of `page_size` (at least 1) starting at `offset`.
    pub fn new(page_size: u64, offset: u64) -> Self {
        Paginator {
            page_size: page_size.max(1),
            offset,
            done: false,
        }
    }

    /// `(count, offset)` of the next request, or `None` when the list is exhausted.
    pub fn next_page(&self) -> Option<(u64, u64)> {
        (!self.done).then_some((self.page_size, self.offset))
    }

    /// Records a received page of `items` items with the server's `total_items`.
    pub fn advance(&mut self, items: u64, total_items: Option<u64>) {
        self.offset = self.offset.saturating_add(items);
        let short = items < self.page_size;
        let reached_total = total_items.is_some_and(|t| self.offset >= t);
        self.done = items == 0 || short || reached_total;
    }

    /// Stops the walk (abort).
    pub fn stop(&mut self) {
        self.done = true;
    }

    /// Items seen so far (plus the start offset).
    pub fn offset(&self) -> u64 {
        self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_on_short_page_without_total() {
        let mut p = Paginator::new(10, 0);
        p.advance(10, None);
        assert_eq!(p.next_page(), Some((10, 10)));
        p.advance(3, None);
        assert_eq!(p.next_page(), None);
    }

    #[test]
    fn exact_multiple_stops_on_total() {
        let mut p = Paginator::new(10, 0);
        p.advance(10, Some(20));
        p.advance(10, Some(20));
        assert_eq!(p.next_page(), None);
    }

    #[test]
    fn empty_page_stops_even_if_total_lies() {
        let mut p = Paginator::new(10, 0);
        p.advance(0, Some(1000));
        assert_eq!(p.next_page(), None);
    }
}
