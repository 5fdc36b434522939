//! The one paginator every list uses: the home page, tag pages, and any later list.

use std::ops::Range;

use super::url::UrlPath;

/// One page of a paginated list: which slice of the list it shows and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// 1-based page number.
    pub number: usize,
    pub url: UrlPath,
    pub items: Range<usize>,
}

/// Splits `len` items into pages of `per_page`: the first at `root`, the others at
/// `root/page/N/`. An empty list still gets its first page.
pub fn paginate(root: &UrlPath, len: usize, per_page: usize) -> Vec<Pager> {
    let per_page = per_page.max(1);
    let count = len.div_ceil(per_page).max(1);
    (1..=count)
        .map(|number| Pager {
            number,
            url: page_url(root, number),
            items: (number - 1) * per_page..(number * per_page).min(len),
        })
        .collect()
}

/// The URL of page `number` of the list at `root`. Page 1 is the root itself; `/page/1/`
/// only ever holds a redirect there.
pub fn page_url(root: &UrlPath, number: usize) -> UrlPath {
    if number <= 1 { root.clone() } else { root.join(&format!("page/{number}")) }
}

/// The page numbers a pager shows: the first and last pages, and `radius` pages either side of
/// the current one, with `None` where numbers are left out. Listing every number would give
/// each of a 1,000-page list's pages 1,000 links: quadratic output for a long-running blog.
pub fn window(count: usize, current: usize, radius: usize) -> Vec<Option<usize>> {
    let mut shown = Vec::new();
    for number in 1..=count {
        let near = number.abs_diff(current) <= radius;
        if number == 1 || number == count || near {
            shown.push(Some(number));
        } else if shown.last().is_some_and(Option::is_some) {
            shown.push(None);
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_split_the_list() {
        let pagers = paginate(&UrlPath::new("/tags/x/"), 25, 10);
        assert_eq!(pagers.len(), 3);
        assert_eq!(pagers[0].url.as_str(), "/tags/x/");
        assert_eq!(pagers[1].url.as_str(), "/tags/x/page/2/");
        assert_eq!(pagers[2].items, 20..25);
    }

    #[test]
    fn the_window_keeps_ends_and_neighbours() {
        assert_eq!(window(1, 1, 2), vec![Some(1)]);
        assert_eq!(window(5, 3, 2), (1..=5).map(Some).collect::<Vec<_>>());
        assert_eq!(
            window(100, 50, 2),
            vec![Some(1), None, Some(48), Some(49), Some(50), Some(51), Some(52), None, Some(100)]
        );
        assert_eq!(window(100, 1, 2), vec![Some(1), Some(2), Some(3), None, Some(100)]);
        assert_eq!(window(7, 4, 2), (1..=7).map(Some).collect::<Vec<_>>());
    }

    #[test]
    fn edge_sizes() {
        assert_eq!(paginate(&UrlPath::root(), 0, 10).len(), 1);
        assert_eq!(paginate(&UrlPath::root(), 0, 10)[0].items, 0..0);
        assert_eq!(paginate(&UrlPath::root(), 10, 10).len(), 1);
        assert_eq!(paginate(&UrlPath::root(), 11, 10).len(), 2);
        assert_eq!(paginate(&UrlPath::root(), 3, 1).len(), 3);
        assert_eq!(paginate(&UrlPath::root(), 5, 0).len(), 5);
        assert_eq!(page_url(&UrlPath::root(), 2).as_str(), "/page/2/");
    }
}
