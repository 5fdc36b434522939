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

/// The page numbers a list page links to, out of `count`: the first and the last, and up to
/// `around` on each side of `current`; `None` stands for the numbers left out between them.
///
/// A tag with 400 pages would otherwise link all 400 from each of its pages, which makes the
/// lists grow with the square of their length (160,000 links for that one tag).
pub fn window(count: usize, current: usize, around: usize) -> Vec<Option<usize>> {
    let shown = |n: usize| n == 1 || n == count || n.abs_diff(current) <= around;
    let mut numbers = Vec::new();
    for n in 1..=count {
        if shown(n) {
            numbers.push(Some(n));
        } else if numbers.last().is_some_and(Option::is_some) {
            numbers.push(None);
        }
    }
    // A gap of a single number would save nothing: show the number.
    for i in 1..numbers.len().saturating_sub(1) {
        if let (Some(before), None, Some(after)) = (numbers[i - 1], numbers[i], numbers[i + 1])
            && after == before + 2
        {
            numbers[i] = Some(before + 1);
        }
    }
    numbers
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
    fn edge_sizes() {
        assert_eq!(paginate(&UrlPath::root(), 0, 10).len(), 1);
        assert_eq!(paginate(&UrlPath::root(), 0, 10)[0].items, 0..0);
        assert_eq!(paginate(&UrlPath::root(), 10, 10).len(), 1);
        assert_eq!(paginate(&UrlPath::root(), 11, 10).len(), 2);
        assert_eq!(paginate(&UrlPath::root(), 3, 1).len(), 3);
        assert_eq!(paginate(&UrlPath::root(), 5, 0).len(), 5);
        assert_eq!(page_url(&UrlPath::root(), 2).as_str(), "/page/2/");
    }

    #[test]
    fn the_window_shows_the_ends_and_the_neighbours() {
        let shown = |count, current| {
            window(count, current, 2)
                .iter()
                .map(|n| n.map_or("…".to_owned(), |n| n.to_string()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(shown(1, 1), "1");
        assert_eq!(shown(7, 4), "1 2 3 4 5 6 7");
        assert_eq!(shown(400, 1), "1 2 3 … 400");
        assert_eq!(shown(400, 200), "1 … 198 199 200 201 202 … 400");
        assert_eq!(shown(400, 5), "1 2 3 4 5 6 7 … 400", "a gap of one number shows the number");
        assert_eq!(shown(400, 400), "1 … 398 399 400");
    }
}
