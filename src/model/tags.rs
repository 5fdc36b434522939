//! Tags and series: resolving what each post wrote into shared, slugged groups.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use jiff::ZonedDateTime;
use rayon::prelude::*;

use super::{Part, PartEntry, Post, PostId, Series, SeriesId, SeriesPart, Slug, Status, Tag, TagId, UrlPath};
use crate::config::{Config, name_key, same_name};
use crate::diagnostic::{Diagnostic, Location};
use crate::load::{Source, TagsField};

pub(super) type Candidate<'a> = (&'a Source, ZonedDateTime, Status);

/// Each candidate post's tag names (series name included) and its series name, if any.
pub(super) struct Resolved {
    tags: Vec<Vec<String>>,
    series: Vec<Option<String>>,
}

/// Reads every post's tags, splitting Jekyll-style strings while keeping known multi-word names
/// (declared series, multi-word tags used elsewhere) whole.
pub(super) fn resolve(config: &Config, candidates: &[Candidate<'_>], warnings: &mut Vec<Diagnostic>) -> Resolved {
    // A set: thousands of posts name the same few series and multi-word tags.
    let phrase = |name: &str| -> Option<Vec<String>> {
        name.split_whitespace().nth(1).is_some().then(|| name.split_whitespace().map(str::to_lowercase).collect())
    };
    let written = candidates.par_iter().flat_map_iter(|(source, _, _)| {
        let listed = source.front.tags.iter().flat_map(|field| match field {
            TagsField::List(list) => list.as_slice(),
            TagsField::Text { .. } => &[],
        });
        source.front.series.iter().chain(listed).filter_map(|name| phrase(name))
    });
    let mut phrases: HashSet<Vec<String>> = written.collect();
    phrases.extend(config.series.iter().filter_map(|series| phrase(&series.name)));
    // Longest first, so "28 days of elixir" wins over a shorter "days of elixir"; then in
    // order, so every build splits alike.
    let mut phrases: Vec<Vec<String>> = phrases.into_iter().collect();
    phrases.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));

    let each: Vec<(Vec<String>, Option<String>, Vec<Diagnostic>)> = candidates
        .par_iter()
        .map(|(source, _, _)| {
            let mut tags: Vec<String> = Vec::new();
            let mut found = Vec::new();
            let push = |tag: String, tags: &mut Vec<String>| {
                if !tags.iter().any(|t| same_name(t, &tag)) {
                    tags.push(tag);
                }
            };
            for field in &source.front.tags {
                match field {
                    TagsField::List(list) => list.iter().for_each(|t| push(t.clone(), &mut tags)),
                    TagsField::Text { text, .. } if text.contains(',') => text
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .for_each(|t| push(t.to_owned(), &mut tags)),
                    &TagsField::Text { ref text, line } => {
                        let (split, kept) = split_on_spaces(text, &phrases);
                        if !kept.is_empty() {
                            let list =
                                split.iter().map(|t| if t.contains(' ') { format!("\"{t}\"") } else { t.clone() });
                            found.push(Diagnostic::new(
                                Location::at(&source.path, line, 1),
                                format!(
                                    "tags {text:?} were split on spaces, keeping {} whole; write a list to be sure: tags: [{}]",
                                    kept.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", "),
                                    list.collect::<Vec<_>>().join(", ")
                                ),
                            ));
                        }
                        split.into_iter().for_each(|t| push(t, &mut tags));
                    }
                }
            }
            let series = source
                .front
                .series
                .clone()
                .or_else(|| tags.iter().find_map(|tag| config.series_config(tag).map(|s| s.name.clone())));
            if let Some(series) = &series {
                push(series.clone(), &mut tags);
            }
            (tags, series, found)
        })
        .collect();
    let mut resolved = Resolved { tags: Vec::with_capacity(each.len()), series: Vec::with_capacity(each.len()) };
    for (tags, series, found) in each {
        resolved.tags.push(tags);
        resolved.series.push(series);
        warnings.extend(found);
    }
    resolved
}

/// Splits `engineering elixir 28 days of elixir` into words, keeping known phrases whole.
/// Returns the tags and the phrases that were kept.
fn split_on_spaces(text: &str, phrases: &[Vec<String>]) -> (Vec<String>, Vec<String>) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let (mut tags, mut kept) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < words.len() {
        let phrase = phrases.iter().find(|p| lower[i..].starts_with(p));
        match phrase {
            Some(p) => {
                let tag = words[i..i + p.len()].join(" ");
                kept.push(tag.clone());
                tags.push(tag);
                i += p.len();
            }
            None => {
                tags.push(words[i].to_owned());
                i += 1;
            }
        }
    }
    (tags, kept)
}

/// A series before post ids exist: its parts point at candidates.
pub(super) struct SeriesDraft {
    name: String,
    total: Option<u32>,
    description: String,
    parts: Vec<(u32, usize)>,
}

/// Numbers every series' parts: explicit `part:` numbers stay put, the other posts fill the free
/// numbers in date order. Scheduled posts are numbered too, so a part's number never changes
/// when an earlier one is published.
pub(super) fn series_parts(
    config: &Config,
    candidates: &[Candidate<'_>],
    resolved: &Resolved,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<SeriesDraft> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for series in &config.series {
        groups.entry(name_key(&series.name).into_owned()).or_default();
    }
    for (index, series) in resolved.series.iter().enumerate() {
        if let Some(series) = series {
            let key = name_key(series);
            match groups.get_mut(&*key) {
                Some(members) => members.push(index),
                None => {
                    groups.insert(key.into_owned(), vec![index]);
                }
            }
        }
    }
    let mut drafts = Vec::new();
    for (key, members) in groups {
        let declared = config.series_config(&key);
        let name = declared
            .map(|s| s.name.clone())
            .or_else(|| most_common(members.iter().filter_map(|&i| resolved.series[i].as_deref())))
            .unwrap_or(key);
        let mut taken: BTreeMap<u32, usize> = BTreeMap::new();
        for &index in &members {
            let Some(part) = candidates[index].0.front.part else { continue };
            if let Some(other) = taken.insert(part, index) {
                errors.push(Diagnostic::new(
                    Location::file(&candidates[index].0.path),
                    format!("part {part} of series {name:?} is also claimed by {}", candidates[other].0.path.display()),
                ));
            }
        }
        let mut next = 1;
        for &index in members.iter().filter(|&&i| candidates[i].0.front.part.is_none()) {
            while taken.contains_key(&next) {
                next += 1;
            }
            taken.insert(next, index);
        }
        let total = declared.and_then(|s| s.total);
        if let Some(total) = total {
            for (&part, &index) in taken.range(total + 1..) {
                warnings.push(Diagnostic::new(
                    Location::file(&candidates[index].0.path),
                    format!("part {part} is beyond the {total} parts planned for series {name:?} in site.toml"),
                ));
            }
        }
        drafts.push(SeriesDraft {
            name,
            total,
            description: declared.map(|s| s.description.clone()).unwrap_or_default(),
            parts: taken.into_iter().collect(),
        });
    }
    drafts.sort_by_key(|d| d.name.to_lowercase());
    let mut slugs: HashMap<Slug, &SeriesDraft> = HashMap::new();
    for draft in &drafts {
        let slug = Slug::from_text(&draft.name);
        let file_of =
            |d: &SeriesDraft| d.parts.first().map_or(Path::new("site.toml"), |(_, i)| candidates[*i].0.path.as_path());
        if slug.is_empty() {
            errors.push(Diagnostic::new(
                Location::file(file_of(draft)),
                format!("series {:?} has no letters or digits to make its URL from", draft.name),
            ));
        } else if let Some(first) = slugs.insert(slug.clone(), draft) {
            errors.push(Diagnostic::new(
                Location::file(file_of(draft)),
                format!(
                    "series {:?} and {:?} (in {}) would share the URL /series/{slug}/; rename one",
                    draft.name,
                    first.name,
                    file_of(first).display()
                ),
            ));
        }
    }
    drafts
}

/// The spelling used most often; ties go to the one that sorts first, for stable output.
fn most_common<'s>(names: impl Iterator<Item = &'s str>) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for name in names {
        *counts.entry(name).or_default() += 1;
    }
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0))).map(|(name, _)| name.to_owned())
}

/// Groups included posts by tag (case-insensitively), names each group by its most common
/// spelling and gives it a slug; two names on one slug is an error naming both files.
pub(super) fn group(
    config: &Config,
    resolved: &Resolved,
    post_of_candidate: &[Option<PostId>],
    posts: &mut [Post<'_>],
    errors: &mut Vec<Diagnostic>,
) -> Vec<Tag> {
    struct Group<'s> {
        spellings: Vec<&'s str>,
        posts: Vec<PostId>,
        first_file: &'s Path,
    }
    // Each post's tags as indexes into `groups`, so a name is lower-cased and looked up once.
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let mut post_groups: Vec<(PostId, Vec<usize>)> = Vec::with_capacity(posts.len());
    for (index, tags) in resolved.tags.iter().enumerate() {
        let Some(post) = post_of_candidate[index] else { continue };
        let mut indexes = Vec::with_capacity(tags.len());
        for tag in tags {
            let key = name_key(tag);
            let group = match group_of.get(&*key) {
                Some(&group) => group,
                None => {
                    group_of.insert(key.into_owned(), groups.len());
                    let first_file = &posts[post.0].source.path;
                    groups.push(Group { spellings: Vec::new(), posts: Vec::new(), first_file });
                    groups.len() - 1
                }
            };
            groups[group].spellings.push(tag);
            groups[group].posts.push(post);
            indexes.push(group);
        }
        post_groups.push((post, indexes));
    }
    let custom_slug =
        |name: &str| config.tag_slugs.iter().find(|(tag, _)| same_name(tag, name)).map(|(_, slug)| slug.as_str());
    // Tags in the order of their lower-cased names.
    let mut order: Vec<(String, usize)> = group_of.into_iter().collect();
    order.sort_unstable();
    let mut tag_of_group: Vec<Option<TagId>> = vec![None; groups.len()];
    let mut tags: Vec<Tag> = Vec::with_capacity(groups.len());
    let mut files: Vec<&Path> = Vec::with_capacity(groups.len());
    let mut by_slug: HashMap<Slug, usize> = HashMap::new();
    for (key, index) in order {
        let group = &mut groups[index];
        let name = most_common(group.spellings.iter().copied()).unwrap_or(key);
        let slug = Slug::from_text(custom_slug(&name).unwrap_or(&name));
        if slug.is_empty() {
            errors.push(Diagnostic::new(
                Location::file(group.first_file),
                format!("tag {name:?} has no letters or digits to make its URL from; give it one in [tag_slugs] in site.toml"),
            ));
            continue;
        }
        if let Some(&other) = by_slug.get(&slug) {
            errors.push(Diagnostic::new(
                Location::file(group.first_file),
                format!(
                    "tags {:?} and {name:?} (in {}) would share the URL /tags/{slug}/; give one its own slug in [tag_slugs] in site.toml, e.g. {:?} = \"{}-2\"",
                    tags[other].name,
                    files[other].display(),
                    name,
                    slug
                ),
            ));
            continue;
        }
        let mut posts = std::mem::take(&mut group.posts);
        posts.sort();
        posts.dedup();
        by_slug.insert(slug.clone(), tags.len());
        files.push(group.first_file);
        tag_of_group[index] = Some(TagId(tags.len()));
        tags.push(Tag { url: UrlPath::new(&format!("/tags/{slug}/")), name, slug, posts });
    }
    for (post, indexes) in post_groups {
        posts[post.0].tags = indexes.into_iter().filter_map(|group| tag_of_group[group]).collect();
    }
    tags
}

/// Turns series drafts into the model's series, linking parts to posts (or to "coming").
pub(super) fn attach_series(
    drafts: Vec<SeriesDraft>,
    candidates: &[Candidate<'_>],
    post_of_candidate: &[Option<PostId>],
    posts: &mut [Post<'_>],
) -> Vec<Series> {
    drafts
        .into_iter()
        .enumerate()
        .map(|(index, draft)| {
            let id = SeriesId(index);
            let parts = draft
                .parts
                .iter()
                .map(|&(number, candidate)| {
                    let entry = match post_of_candidate[candidate] {
                        Some(post) => {
                            posts[post.0].series = Some(SeriesPart { series: id, part: number });
                            PartEntry::Post(post)
                        }
                        None => {
                            let (source, date, _) = &candidates[candidate];
                            PartEntry::Coming { title: source.front.title.clone(), date: date.clone() }
                        }
                    };
                    Part { number, entry }
                })
                .collect();
            let slug = Slug::from_text(&draft.name);
            Series {
                url: UrlPath::new(&format!("/series/{slug}/")),
                slug,
                name: draft.name,
                description: draft.description,
                total: draft.total,
                parts,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_split_keeps_known_phrases() {
        let phrases = vec![vec!["28".to_owned(), "days".into(), "of".into(), "elixir".into()]];
        let (tags, kept) = split_on_spaces("engineering elixir 28 days of Elixir", &phrases);
        assert_eq!(tags, vec!["engineering", "elixir", "28 days of Elixir"]);
        assert_eq!(kept, vec!["28 days of Elixir"]);
        let (tags, kept) = split_on_spaces("a b", &phrases);
        assert_eq!((tags.len(), kept.len()), (2, 0));
    }

    #[test]
    fn most_common_spelling_wins_with_stable_ties() {
        assert_eq!(most_common(["Elixir", "elixir", "elixir"].into_iter()).unwrap(), "elixir");
        assert_eq!(most_common(["b", "a"].into_iter()).unwrap(), "a");
    }
}
