//! Talk recaps: the card a post with a `talk:` map shows, its schema.org data, and the plain
//! links feeds get instead.
//!
//! The card's data is checked and built here, once per post; the theme's
//! `partials/talk_card.html` only lays it out.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value as Json, json};

use super::embed::{self, Media};
use super::markdown::escape;
use super::shortcodes::Shortcodes;
use super::templates::json_for_script;
use crate::diagnostic::{Diagnostic, Location};
use crate::load::TalkField;
use crate::model::{Post, Site, UrlPath};

/// A talk, ready for templates (`post.talk`).
#[derive(Debug, Clone, Serialize)]
pub struct Talk {
    /// The talk's own title, else the post's.
    pub title: String,
    pub event: Option<String>,
    /// RFC 3339, like every date handed to templates (`{{ post.talk.date | date }}`).
    pub date: Option<String>,
    pub location: Option<String>,
    pub video: Option<TalkMedia>,
    pub slides: Option<TalkMedia>,
    /// A schema.org Event with its recording, as JSON safe inside `<script>`.
    #[serde(serialize_with = "super::values::safe_html")]
    pub json_ld: String,
    /// Whether the card holds a placeholder, which needs the theme's `embed.js`.
    pub has_embeds: bool,
    /// The card as feeds show it: a paragraph of plain links.
    #[serde(skip)]
    pub feed_html: String,
    /// When the talk was given, for `/talks/` (newest first).
    #[serde(skip)]
    pub starts: Option<Timestamp>,
}

/// A recording or a slide deck.
#[derive(Debug, Clone, Serialize)]
pub struct TalkMedia {
    /// Where a link goes: the video's page, the deck, the PDF.
    pub url: String,
    /// `youtube`, `vimeo` or `speakerdeck` when it can be embedded.
    pub provider: Option<&'static str>,
    /// The placeholder (or the site's `shortcodes/<provider>.html`), when it can be embedded.
    #[serde(serialize_with = "super::values::safe_html_or_absent")]
    pub embed: Option<String>,
    /// The player's address, when it can be embedded.
    #[serde(skip)]
    player: Option<String>,
    #[serde(skip)]
    feed_html: String,
}

/// The talk card of a post, if it has a `talk:` map. Problems with its video, slides or date
/// are located at the `talk:` line.
pub fn talk(site: &Site<'_>, shortcodes: &Shortcodes<'_>, post: &Post<'_>) -> Result<Option<Talk>, Vec<Diagnostic>> {
    let Some(field) = &post.source.front.talk else { return Ok(None) };
    let at = |message: String| Diagnostic::new(Location::at(&post.source.path, field.line, 1), message);
    let title = field.title.clone().unwrap_or_else(|| post.title().to_owned());
    let mut errors = Vec::new();

    let starts = match &field.date {
        Some(text) => match crate::load::date::parse(text, &site.config.time_zone()) {
            Some(date) => Some(date.timestamp()),
            None => {
                errors.push(at(format!("`talk.date`: {text:?} is not a date in a known format (try 2018-02-13)")));
                None
            }
        },
        None => None,
    };
    let mut media = |key: &str, url: &Option<String>, embed_title: String| {
        let url = url.as_deref()?;
        match talk_media(site, shortcodes, url, embed_title) {
            Ok(media) => Some(media),
            Err(message) => {
                errors.push(at(format!("{message} in `talk.{key}`")));
                None
            }
        }
    };
    let video = media("video", &field.video, title.clone());
    let slides = media("slides", &field.slides, format!("Slides: {title}"));
    if !errors.is_empty() {
        return Err(errors);
    }

    let json_ld = json_ld(site, post, field, &title, starts, video.as_ref(), slides.as_ref());
    let feed_html = feed_html(field, &title, video.as_ref(), slides.as_ref());
    let has_embeds = video.iter().chain(&slides).any(|m| m.embed.is_some());
    Ok(Some(Talk {
        title,
        event: field.event.clone(),
        date: starts.map(|t| t.to_string()),
        location: field.location.clone(),
        video,
        slides,
        json_ld,
        has_embeds,
        feed_html,
        starts,
    }))
}

fn talk_media(site: &Site<'_>, shortcodes: &Shortcodes<'_>, url: &str, title: String) -> Result<TalkMedia, String> {
    match embed::media(url)? {
        Media::Embed(mut embed) => {
            embed.title = Some(title);
            let output = shortcodes.embed(&embed)?;
            Ok(TalkMedia {
                url: embed.link(),
                provider: Some(embed.provider.name()),
                embed: Some(output.page),
                player: Some(embed.player()),
                feed_html: output.feed,
            })
        }
        Media::Link(url) => {
            let url = if url.starts_with('/') { site.base.href(&UrlPath::new(&url)) } else { url };
            let feed_html = format!("<a href=\"{}\">{}</a>", escape(&url), escape(&title));
            Ok(TalkMedia { url, provider: None, embed: None, player: None, feed_html })
        }
    }
}

fn json_ld(
    site: &Site<'_>,
    post: &Post<'_>,
    field: &TalkField,
    title: &str,
    starts: Option<Timestamp>,
    video: Option<&TalkMedia>,
    slides: Option<&TalkMedia>,
) -> String {
    let absolute =
        |url: &str| if url.starts_with('/') { site.base.absolute(&UrlPath::new(url)) } else { url.to_owned() };
    let mut event = Map::new();
    event.insert("@context".into(), json!("https://schema.org"));
    event.insert("@type".into(), json!("Event"));
    event.insert("name".into(), json!(title));
    event.insert("url".into(), json!(site.base.absolute(&post.url)));
    if let Some(starts) = starts {
        let zoned = starts.to_zoned_datetime(site.config.time_zone());
        event.insert("startDate".into(), json!(zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()));
    }
    if let Some(name) = &field.event {
        event.insert("superEvent".into(), json!({"@type": "Event", "name": name}));
    }
    if let Some(place) = &field.location {
        event.insert("location".into(), json!({"@type": "Place", "name": place}));
    }
    if !site.config.author.is_empty() {
        event.insert("performer".into(), json!({"@type": "Person", "name": site.config.author}));
    }
    if let Some(video) = video {
        let mut recording = Map::new();
        recording.insert("@type".into(), json!("VideoObject"));
        recording.insert("name".into(), json!(title));
        recording.insert("url".into(), json!(absolute(&video.url)));
        if let Some(player) = &video.player {
            recording.insert("embedUrl".into(), json!(player));
        }
        event.insert("recordedIn".into(), Json::Object(recording));
    }
    if let Some(slides) = slides {
        event.insert(
            "workFeatured".into(),
            json!({"@type": "PresentationDigitalDocument", "name": format!("Slides: {title}"), "url": absolute(&slides.url)}),
        );
    }
    json_for_script(&Json::Object(event).to_string())
}

fn feed_html(field: &TalkField, title: &str, video: Option<&TalkMedia>, slides: Option<&TalkMedia>) -> String {
    let mut html = format!("<p class=\"talk\">Talk: {}", escape(title));
    if let Some(event) = &field.event {
        html.push_str(&format!(" at {}", escape(event)));
    }
    let links: Vec<String> = [("Recording", video), ("Slides", slides)]
        .into_iter()
        .filter_map(|(what, media)| media.map(|m| format!("{what}: {}", m.feed_html)))
        .collect();
    if !links.is_empty() {
        html.push_str(" · ");
        html.push_str(&links.join(" · "));
    }
    html.push_str("</p>\n");
    html
}
