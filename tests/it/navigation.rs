//! Tags, series, neighbours, pagination and aliases: the blog's navigation.

use crate::harness::{CONFIG, TestSite};

fn series_config(total: u32) -> String {
    format!(
        "{CONFIG}timezone = \"UTC\"\n[[series]]\nname = \"28 days of elixir\"\ntotal = {total}\ndescription = \"One a day.\"\n"
    )
}

#[test]
fn a_declared_28_part_series_with_13_written_parts() {
    let site = TestSite::with_config(&series_config(28));
    for day in 1..=13 {
        site.post(
            &format!("day-{day:02}"),
            &format!("Day {day}"),
            &format!("2018-02-{day:02}"),
            "tags: [elixir, \"28 days of elixir\"]",
            "x",
        );
    }
    let build = site.build();
    let post = build.page("/posts/day-13/");
    assert_eq!(post.text(".series-banner"), "Part 13 of 28 · 28 days of elixir");
    assert_eq!(post.link_to("Previous part").as_deref(), Some("/posts/day-12/"));
    assert_eq!(post.link_to("Next part"), None);
    let middle = build.page("/posts/day-05/");
    assert_eq!(middle.link_to("Previous part").as_deref(), Some("/posts/day-04/"));
    assert_eq!(middle.link_to("Next part").as_deref(), Some("/posts/day-06/"));
    assert_eq!(middle.hrefs(".series-banner a"), vec!["/series/28-days-of-elixir/"]);

    let series = build.page("/series/28-days-of-elixir/");
    assert_eq!(series.select(".part-published a").len(), 13);
    assert_eq!(series.select(".part-upcoming").len(), 15);
    assert_eq!(series.texts(".part-published a")[0], "Day 1");
    assert!(series.text(".progress").contains("13 of 28 published"));
    let list = build.page("/series/");
    assert!(list.body_text().contains("13 of 28 published"));
    assert_eq!(list.link_to("28 days of elixir").as_deref(), Some("/series/28-days-of-elixir/"));
}

#[test]
fn explicit_parts_stay_and_the_rest_fill_free_numbers_by_date() {
    let site = TestSite::with_config(&series_config(5));
    site.post("a", "A", "2018-02-01", "series: 28 days of elixir", "x");
    site.post("b", "B", "2018-02-02", "series: 28 days of elixir\npart: 1", "x");
    site.post("c", "C", "2018-02-03", "series: 28 days of elixir", "x");
    site.post("d", "D", "2018-02-04", "series: 28 days of elixir\npart: 5", "x");
    let build = site.build();
    let parts = build.page("/series/28-days-of-elixir/");
    let order: Vec<String> = parts
        .select(".series-parts li")
        .iter()
        .map(|li| {
            li.value().attr("value").unwrap().to_owned()
                + ":"
                + li.text().collect::<String>().split_whitespace().next().unwrap_or("")
        })
        .collect();
    assert_eq!(order, vec!["1:B", "2:A", "3:C", "4:Part", "5:D"]);
    assert_eq!(build.page("/posts/a/").text(".series-banner"), "Part 2 of 5 · 28 days of elixir");
    assert!(
        build.page("/posts/a/").texts(".tags-line a").contains(&"28 days of elixir".to_owned()),
        "a series post carries its name as a tag"
    );
}

#[test]
fn a_scheduled_part_shows_as_coming_without_a_link() {
    let site = TestSite::with_config(&series_config(3));
    site.post("one", "One", "2018-02-01", "tags: [28 days of elixir]", "x");
    site.post("two", "Two", "2999-02-02", "tags: [28 days of elixir]", "x");
    let build = site.build();
    let series = build.page("/series/28-days-of-elixir/");
    let coming = series.text(".part-coming");
    assert!(coming.contains("Two") && coming.contains("coming February 2, 2999"), "{coming}");
    assert!(series.select(".part-coming a").is_empty());
    assert!(!build.exists("/posts/two/"));
    assert_eq!(build.page("/posts/one/").link_to("Next part"), None);
    assert_eq!(series.select(".part-upcoming").len(), 1);
}

#[test]
fn duplicate_parts_are_an_error_naming_both_files() {
    let site = TestSite::with_config(&series_config(3));
    site.post("one", "One", "2018-02-01", "series: 28 days of elixir\npart: 2", "x");
    site.post("two", "Two", "2018-02-02", "series: 28 days of elixir\npart: 2", "x");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    assert!(
        build.stderr().contains("content/posts/one.md") && build.stderr().contains("content/posts/two.md"),
        "{}",
        build.stderr()
    );
}

#[test]
fn a_part_beyond_total_is_a_warning() {
    let site = TestSite::with_config(&series_config(2));
    site.post("one", "One", "2018-02-01", "series: 28 days of elixir\npart: 3", "x");
    let build = site.build();
    assert!(
        build.stderr().contains("warning: content/posts/one.md: part 3 is beyond the 2 parts planned"),
        "{}",
        build.stderr()
    );
    assert_eq!(build.page("/posts/one/").text(".series-banner"), "Part 3 of 3 · 28 days of elixir");
}

#[test]
fn a_tag_with_spaces_spans_three_pages() {
    let site = TestSite::with_config(&format!("{CONFIG}paginate = 4\n"));
    for i in 1..=10 {
        site.post(&format!("p{i:02}"), &format!("Post {i}"), &format!("2018-03-{i:02}"), "tags: [\"Deep Dives\"]", "x");
    }
    let build = site.build();
    let first = build.page("/tags/deep-dives/");
    assert_eq!(first.texts(".post-summary h2"), vec!["Post 10", "Post 9", "Post 8", "Post 7"]);
    assert_eq!(build.page("/tags/deep-dives/page/2/").texts(".post-summary h2").len(), 4);
    assert_eq!(build.page("/tags/deep-dives/page/3/").texts(".post-summary h2"), vec!["Post 2", "Post 1"]);
    assert!(!build.exists("/tags/deep-dives/page/4/"));
    assert!(build.text("/tags/deep-dives/page/1/").contains("https://example.com/tags/deep-dives/"));
    assert_eq!(first.hrefs(".pagination a[rel=next]"), vec!["/tags/deep-dives/page/2/"]);
    let tags = build.page("/tags/");
    assert!(tags.body_text().contains("Deep Dives (10)"), "{}", tags.body_text());
    assert_eq!(build.page("/posts/p01/").link_to("Deep Dives").as_deref(), Some("/tags/deep-dives/"));
    assert!(build.page("/posts/p01/").text(".tags-line").starts_with("View other posts tagged:"));
}

#[test]
fn case_variant_tags_merge_under_the_most_common_spelling() {
    let site = TestSite::new();
    site.post("a", "A", "2018-02-01", "tags: [Elixir]", "x");
    site.post("b", "B", "2018-02-02", "tags: [elixir]", "x");
    site.post("c", "C", "2018-02-03", "tags: [elixir]", "x");
    let build = site.build();
    assert_eq!(build.page("/tags/elixir/").texts(".post-summary h2").len(), 3);
    assert!(build.page("/tags/").body_text().contains("elixir (3)"));
    assert_eq!(build.page("/posts/a/").texts(".tags-line a"), vec!["elixir"]);
    assert!(build.stdout().contains("1 tag,"), "{}", build.stdout());
}

#[test]
fn names_match_in_any_case_accented_letters_included() {
    let site = TestSite::with_config(&format!("{CONFIG}[[series]]\nname = \"Año Nuevo\"\ntotal = 3\n"));
    site.post("a", "A", "2018-02-01", "tags: [AÑO NUEVO, Élan, élan]", "x");
    site.post("b", "B", "2018-02-02", "tags: [ÉLAN]", "x");
    let build = site.build();
    let banner = build.page("/posts/a/").text(".series-banner p");
    assert!(banner.starts_with("Part 1 of 3"), "the tag names the declared series: {banner}");
    assert_eq!(build.page("/tags/elan/").texts(".post-summary h2"), vec!["B", "A"]);
    assert_eq!(build.page("/posts/a/").texts(".tags-line a").len(), 2, "Élan and élan are one tag on the post");
}

#[test]
fn non_ascii_tags_are_transliterated() {
    let site = TestSite::new();
    site.post("a", "A", "2018-02-01", "tags: [Café Größe]", "x");
    assert!(site.build().exists("/tags/cafe-grosse/"));
}

#[test]
fn a_slug_collision_is_an_error_and_tag_slugs_mend_it() {
    let site = TestSite::new();
    site.post("c", "C", "2018-02-01", "tags: [C]", "x");
    site.post("cpp", "Cpp", "2018-02-02", "tags: [C++]", "x");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    let stderr = build.stderr();
    assert!(
        stderr.contains("content/posts/c.md") && stderr.contains("content/posts/cpp.md") && stderr.contains("/tags/c/"),
        "{stderr}"
    );
    site.file("site.toml", format!("{CONFIG}[tag_slugs]\n\"C++\" = \"cpp\"\n"));
    let build = site.build();
    assert_eq!(build.page("/tags/cpp/").texts(".post-summary h2"), vec!["Cpp"]);
    assert_eq!(build.page("/tags/c/").texts(".post-summary h2"), vec!["C"]);
}

#[test]
fn a_space_split_tag_string_keeps_the_series_name_whole_and_warns() {
    let site = TestSite::with_config(&series_config(28));
    site.file(
        "content/posts/x.md",
        "---\ntitle: X\ndate: 2018-02-01\ntags: engineering elixir 28 days of elixir\n---\nx\n",
    );
    let build = site.build();
    let tags = build.page("/posts/x/").texts(".tags-line a");
    assert_eq!(tags, vec!["engineering", "elixir", "28 days of elixir"]);
    assert!(build.stderr().contains("warning: content/posts/x.md:4:"), "{}", build.stderr());
    assert!(build.stderr().contains("write a list"), "{}", build.stderr());
    assert_eq!(
        build.page("/posts/x/").text(".series-banner"),
        "Part 1 of 28 · 28 days of elixir",
        "the tag makes it a series post"
    );
}

#[test]
fn a_multi_word_tag_used_elsewhere_is_kept_whole_too() {
    let site = TestSite::new();
    site.post("a", "A", "2018-02-01", "tags: [\"machine learning\"]", "x");
    site.file("content/posts/b.md", "---\ntitle: B\ndate: 2018-02-02\ntags: python machine learning\n---\nx\n");
    let build = site.build();
    assert_eq!(build.page("/posts/b/").texts(".tags-line a"), vec!["python", "machine learning"]);
    site.file("content/posts/c.md", "---\ntitle: C\ndate: 2018-02-03\ntags: one, two words\n---\nx\n");
    assert_eq!(site.build().page("/posts/c/").texts(".tags-line a"), vec!["one", "two words"], "commas split first");
}

#[test]
fn every_post_links_its_newer_and_older_neighbours() {
    let site = TestSite::new();
    site.post("a", "A", "2018-02-01", "", "x");
    site.post("b", "B", "2018-02-02", "", "x");
    site.post("c", "C", "2018-02-03", "", "x");
    let build = site.build();
    let b = build.page("/posts/b/");
    assert_eq!(b.link_to("Newer: C").as_deref(), Some("/posts/c/"));
    assert_eq!(b.link_to("Older: A").as_deref(), Some("/posts/a/"));
    assert_eq!(build.page("/posts/c/").link_to("Newer:"), None);
    assert_eq!(build.page("/posts/a/").link_to("Older:"), None);
}

#[test]
fn a_neighbour_that_is_also_the_next_or_previous_part_is_linked_once() {
    let site = TestSite::with_config(&series_config(3));
    site.post("day-01", "Day 1", "2018-02-01", "series: 28 days of elixir\npart: 1", "x");
    site.post("day-02", "Day 2", "2018-02-02", "series: 28 days of elixir\npart: 2", "x");
    site.post("aside", "Aside", "2018-02-03", "", "x");
    site.post("day-03", "Day 3", "2018-02-04", "series: 28 days of elixir\npart: 3", "x");
    let build = site.build();
    let links = |url: &str| build.page(url).texts("a").into_iter().filter(|t| t.contains("Day ")).collect::<Vec<_>>();
    assert_eq!(links("/posts/day-01/"), ["Next part →: Day 2"], "the newer post is part 2: one link");
    let day_2 = build.page("/posts/day-02/");
    assert_eq!(day_2.link_to("Newer: Aside").as_deref(), Some("/posts/aside/"), "not a part: linked by date");
    assert_eq!(day_2.link_to("Older:"), None, "part 1 is linked as the previous part");
    assert_eq!(build.page("/posts/day-03/").link_to("Older: Aside").as_deref(), Some("/posts/aside/"));
    let aside = build.page("/posts/aside/");
    assert_eq!(aside.link_to("Newer: Day 3").as_deref(), Some("/posts/day-03/"), "outside the series, every neighbour");
    assert_eq!(aside.link_to("Older: Day 2").as_deref(), Some("/posts/day-02/"));

    site.file("templates/post.html", "<p id=n>{{ post.newer.linked_as_part if post.newer else \"none\" }}</p>");
    let build = site.build();
    let flag = |url: &str| build.page(url).text("#n");
    assert_eq!([flag("/posts/day-01/"), flag("/posts/day-02/"), flag("/posts/aside/")], ["true", "false", "false"]);
}

#[test]
fn ten_posts_on_one_day_keep_a_stable_order() {
    let site = TestSite::new();
    for i in 0..10 {
        site.post(&format!("same-{i}"), &format!("Same {i}"), "2018-02-01", "", "x");
    }
    let first = site.build().text("/");
    let second = site.build().text("/");
    assert_eq!(first, second);
    let index = site.build().page("/");
    assert_eq!(index.texts(".post-summary h2")[0], "Same 9", "ties by path, newest-first reversed");
}

#[test]
fn aliases_redirect_and_collisions_are_errors() {
    let site = TestSite::new();
    site.post("new", "New", "2018-02-01", "aliases: [/old/path/, /2010/01/x.html]", "x");
    let build = site.build();
    let redirect = build.page("/old/path/");
    assert_eq!(redirect.hrefs("link[rel=canonical]"), vec!["https://example.com/posts/new/"]);
    assert!(build.text("/old/path/").contains("0; url=https://example.com/posts/new/"));
    assert!(build.exists("/2010/01/x.html"));
    site.post("other", "Other", "2018-02-02", "", "x");
    site.post("new", "New", "2018-02-01", "aliases: [/posts/other/]", "x");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    assert!(
        build.stderr().contains("content/posts/new.md") && build.stderr().contains("content/posts/other.md"),
        "{}",
        build.stderr()
    );
}

#[test]
fn a_post_on_a_list_page_url_is_an_error_naming_the_page() {
    let site = TestSite::new();
    site.post("a", "A", "2018-02-01", "tags: [rust]", "x");
    site.post("b", "B", "2018-02-02", "permalink: /tags/rust/", "x");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    let stderr = build.stderr();
    assert!(stderr.contains("content/posts/b.md") && stderr.contains("is taken by the tag page"), "{stderr}");
}

#[test]
fn each_list_page_gets_only_its_own_slice() {
    let site = TestSite::with_config(&format!("{CONFIG}paginate = 3\n"));
    for i in 1..=7 {
        site.post(&format!("p{i}"), &format!("P{i}"), &format!("2018-02-0{i}"), "tags: [t]", "x");
    }
    site.file("templates/tag.html", "<p id=n>{{ paginator.posts | length }} of {{ paginator.total_posts }}; page {{ paginator.current }}/{{ paginator.count }}</p>");
    let build = site.build();
    assert_eq!(build.page("/tags/t/").text("#n"), "3 of 7; page 1/3");
    assert_eq!(build.page("/tags/t/page/3/").text("#n"), "1 of 7; page 3/3");
}

#[test]
fn a_long_list_links_its_ends_and_neighbours_not_every_page() {
    let site = TestSite::with_config(&format!("{CONFIG}paginate = 1\n"));
    for i in 1..=20 {
        site.post(&format!("p{i:02}"), &format!("Post {i}"), &format!("2018-03-{i:02}"), "", "x");
    }
    let build = site.build();
    let page = build.page("/page/10/");
    assert_eq!(page.texts(".pagination li"), ["1", "…", "8", "9", "10", "11", "12", "…", "20"]);
    assert_eq!(page.texts(".pagination [aria-current=page]"), ["10"]);
    assert_eq!(page.hrefs(".pagination li a").first().map(String::as_str), Some("/"));
    assert_eq!(page.hrefs(".pagination li a").last().map(String::as_str), Some("/page/20/"));
    assert_eq!(build.page("/").texts(".pagination li"), ["1", "2", "3", "…", "20"]);
}
