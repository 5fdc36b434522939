//! Video and slide embeds that load nothing from a third party until the reader asks.
//!
//! A page first shows a placeholder: a plain link to the video, titled, focusable, with a
//! local poster at most. The theme's `embed.js` swaps in the player on a click; without
//! JavaScript the link still leads to the video. Every id and URL is checked against its
//! provider's shape here, in Rust, before any of it reaches a page or a template, so a
//! malformed id is a build error and never markup.
//!
//! Nothing here uses the network: the shape of a URL is all we know about it.

use std::fmt::Write as _;

use crate::render::markdown::escape;

/// A video or slides host whose player we know how to embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    YouTube,
    Vimeo,
    SpeakerDeck,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::YouTube, Provider::Vimeo, Provider::SpeakerDeck];

    /// The shortcode name, also used in CSS classes and error messages.
    pub fn name(self) -> &'static str {
        match self {
            Provider::YouTube => "youtube",
            Provider::Vimeo => "vimeo",
            Provider::SpeakerDeck => "speakerdeck",
        }
    }

    pub fn from_name(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The name a reader knows.
    pub fn label(self) -> &'static str {
        match self {
            Provider::YouTube => "YouTube",
            Provider::Vimeo => "Vimeo",
            Provider::SpeakerDeck => "Speaker Deck",
        }
    }

    /// Where the player comes from once the reader clicks, said on the placeholder so the
    /// click is an informed one.
    fn player_host(self) -> &'static str {
        match self {
            Provider::YouTube => "youtube-nocookie.com",
            Provider::Vimeo => "player.vimeo.com",
            Provider::SpeakerDeck => "speakerdeck.com",
        }
    }

    fn default_title(self) -> &'static str {
        match self {
            Provider::YouTube => "Video on YouTube",
            Provider::Vimeo => "Video on Vimeo",
            Provider::SpeakerDeck => "Slides on Speaker Deck",
        }
    }

    fn id_is_valid(self, id: &str) -> bool {
        match self {
            Provider::YouTube => {
                id.len() == 11 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            }
            Provider::Vimeo => (1..=12).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()),
            Provider::SpeakerDeck => id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        }
    }
}

/// One embed, validated: every field is safe to put in a URL as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    pub provider: Provider,
    pub id: String,
    /// Seconds into the video.
    pub start: Option<u32>,
    /// Vimeo's key for unlisted videos (`vimeo.com/ID/HASH`).
    pub hash: Option<String>,
    pub title: Option<String>,
    /// A local image shown on the placeholder, already made into a link (`/blog/img/x.jpg`).
    pub poster: Option<String>,
}

impl Embed {
    /// An embed of `id`, or `invalid youtube id "…"` when the id is not of the provider's shape.
    pub fn new(provider: Provider, id: &str) -> Result<Embed, String> {
        if !provider.id_is_valid(id) {
            return Err(format!("invalid {} id {id:?} ({})", provider.name(), id_shape(provider)));
        }
        let id = if provider == Provider::SpeakerDeck { id.to_ascii_lowercase() } else { id.to_owned() };
        Ok(Embed { provider, id, start: None, hash: None, title: None, poster: None })
    }

    pub fn title(&self) -> &str {
        self.title.as_deref().filter(|t| !t.trim().is_empty()).unwrap_or(self.provider.default_title())
    }

    /// The video's own page: what the placeholder links to, and what feeds show.
    pub fn link(&self) -> String {
        match self.provider {
            Provider::YouTube => match self.start {
                Some(start) => format!("https://www.youtube.com/watch?v={}&t={start}s", self.id),
                None => format!("https://www.youtube.com/watch?v={}", self.id),
            },
            Provider::Vimeo => {
                let mut link = format!("https://vimeo.com/{}", self.id);
                if let Some(hash) = &self.hash {
                    let _ = write!(link, "/{hash}");
                }
                if let Some(start) = self.start {
                    let _ = write!(link, "#t={start}s");
                }
                link
            }
            Provider::SpeakerDeck => format!("https://speakerdeck.com/player/{}", self.id),
        }
    }

    /// The player the click swaps in. YouTube's comes from youtube-nocookie.com, which sets no
    /// cookies until the video plays; Vimeo's is told not to track (`dnt=1`).
    pub fn player(&self) -> String {
        match self.provider {
            Provider::YouTube => {
                let mut url = format!("https://www.youtube-nocookie.com/embed/{}?autoplay=1", self.id);
                if let Some(start) = self.start {
                    let _ = write!(url, "&start={start}");
                }
                url
            }
            Provider::Vimeo => {
                let mut url = format!("https://player.vimeo.com/video/{}?autoplay=1&dnt=1", self.id);
                if let Some(hash) = &self.hash {
                    let _ = write!(url, "&h={hash}");
                }
                if let Some(start) = self.start {
                    let _ = write!(url, "#t={start}s");
                }
                url
            }
            Provider::SpeakerDeck => format!("https://speakerdeck.com/player/{}", self.id),
        }
    }

    /// The placeholder: a link to the video that `embed.js` turns into the player. Only
    /// phrasing content, so it is valid inside a paragraph too.
    pub fn placeholder_html(&self) -> String {
        let provider = self.provider;
        let title = escape(self.title());
        let mut html = format!(
            "<a class=\"embed embed-{name}\" href=\"{link}\" data-embed=\"{player}\" data-embed-title=\"{title}\">",
            name = provider.name(),
            link = escape(&self.link()),
            player = escape(&self.player()),
        );
        if let Some(poster) = &self.poster {
            let _ = write!(html, "<img class=\"embed-poster\" src=\"{}\" alt=\"\" loading=\"lazy\">", escape(poster));
        }
        let _ = write!(
            html,
            "<span class=\"embed-play\" aria-hidden=\"true\"></span>\
<span class=\"embed-caption\"><span class=\"embed-title\">{title}</span> \
<span class=\"embed-note\">{label} · loads from {host} when you click</span></span></a>",
            label = provider.label(),
            host = provider.player_host(),
        );
        html
    }

    /// The embed as a plain link, for feeds: readers there get no scripts and no iframes.
    pub fn link_html(&self) -> String {
        format!(
            "<a class=\"embed-link\" href=\"{}\">{}</a> ({})",
            escape(&self.link()),
            escape(self.title()),
            self.provider.label()
        )
    }
}

fn id_shape(provider: Provider) -> &'static str {
    match provider {
        Provider::YouTube => "expected 11 letters, digits, `-` or `_`",
        Provider::Vimeo => "expected the video's number",
        Provider::SpeakerDeck => "expected the 32-hex player id from the deck's embed code; link a deck page as a URL",
    }
}

/// What a URL given for a talk's video or slides, or written alone in a paragraph, points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Media {
    Embed(Embed),
    /// Anything that cannot be embedded: a Speaker Deck deck page, a PDF, a conference's site.
    Link(String),
}

/// Reads a URL by its shape. A known provider's URL must be one of its video (or player)
/// forms, else it is an error; other `http(s)` URLs and site paths are links.
pub fn media(url: &str) -> Result<Media, String> {
    let url = url.trim();
    if url.starts_with('/') && !url.starts_with("//") {
        return Ok(Media::Link(url.to_owned()));
    }
    let parsed = Url::parse(url).ok_or_else(|| format!("invalid URL {url:?} (expected http:// or https://)"))?;
    let host = parsed.host.strip_prefix("www.").or_else(|| parsed.host.strip_prefix("m.")).unwrap_or(&parsed.host);
    let provider = match host {
        "youtube.com" | "youtu.be" | "youtube-nocookie.com" | "music.youtube.com" => Provider::YouTube,
        "vimeo.com" | "player.vimeo.com" => Provider::Vimeo,
        "speakerdeck.com" => Provider::SpeakerDeck,
        _ => return Ok(Media::Link(url.to_owned())),
    };
    let invalid = || format!("invalid {} URL {url:?}", provider.name());
    let segments: Vec<&str> = parsed.path.split('/').filter(|s| !s.is_empty()).collect();
    match provider {
        Provider::YouTube => {
            let id = match (host, segments.as_slice()) {
                ("youtu.be", [id]) => *id,
                (_, ["watch"]) => parsed.query("v").ok_or_else(invalid)?,
                (_, ["embed" | "shorts" | "live" | "v", id]) => *id,
                _ => return Err(invalid()),
            };
            let mut embed = Embed::new(provider, id)?;
            let time = parsed.query("t").or_else(|| parsed.query("start")).or_else(|| parsed.fragment_value("t"));
            embed.start = time
                .map(|t| start_time(t).ok_or_else(|| format!("invalid start time {t:?} in {url:?}")))
                .transpose()?;
            Ok(Media::Embed(embed))
        }
        Provider::Vimeo => {
            // vimeo.com/ID, vimeo.com/ID/HASH, player.vimeo.com/video/ID?h=HASH, and the
            // channel and showcase pages, which end in the video's number.
            let position = segments.iter().rposition(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
            let position = position.ok_or_else(invalid)?;
            let mut embed = Embed::new(provider, segments[position])?;
            let hash = segments.get(position + 1).copied().or_else(|| parsed.query("h"));
            if let Some(hash) = hash {
                if hash.is_empty() || !hash.bytes().all(|b| b.is_ascii_hexdigit()) || hash.len() > 40 {
                    return Err(invalid());
                }
                embed.hash = Some(hash.to_owned());
            }
            let time = parsed.fragment_value("t").or_else(|| parsed.query("t"));
            embed.start = time
                .map(|t| start_time(t).ok_or_else(|| format!("invalid start time {t:?} in {url:?}")))
                .transpose()?;
            Ok(Media::Embed(embed))
        }
        Provider::SpeakerDeck => match segments.as_slice() {
            ["player", id] => Ok(Media::Embed(Embed::new(provider, id)?)),
            // A deck page: its player id is only in the page, which the build does not fetch.
            [_user, _deck] => Ok(Media::Link(url.to_owned())),
            _ => Err(invalid()),
        },
    }
}

/// `90`, `90s`, `1m30s`, `1h2m3s` or `1:30` as seconds.
pub fn start_time(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.contains(':') {
        let mut seconds: u32 = 0;
        for part in text.split(':') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            seconds = seconds.checked_mul(60)?.checked_add(part.parse().ok()?)?;
        }
        return Some(seconds);
    }
    let mut seconds: u32 = 0;
    let mut number = String::new();
    for c in text.chars() {
        match c {
            '0'..='9' => number.push(c),
            'h' | 'm' | 's' if !number.is_empty() => {
                let unit = match c {
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                };
                seconds = seconds.checked_add(number.parse::<u32>().ok()?.checked_mul(unit)?)?;
                number.clear();
            }
            _ => return None,
        }
    }
    if !number.is_empty() {
        seconds = seconds.checked_add(number.parse().ok()?)?;
    }
    Some(seconds)
}

/// A path to a file of this site, as a link: `/img/x.jpg` gets the site's base path; a path
/// relative to the post stays as written. Anything with a scheme or a host is refused, since
/// a poster from elsewhere would be the very third-party request embeds avoid.
pub fn local_path(path: &str, prefix: &str) -> Result<String, String> {
    let path = path.trim();
    let has_scheme = path.split(['/', '?', '#']).next().is_some_and(|first| first.contains(':'));
    if path.is_empty() || path.starts_with("//") || has_scheme || path.contains(['"', '<', '>', '\\']) {
        return Err(format!("poster {path:?} must be an image of this site, like \"/img/talk.jpg\""));
    }
    Ok(if path.starts_with('/') { format!("{prefix}{path}") } else { path.to_owned() })
}

/// Just enough of a URL to recognize a provider's links.
struct Url<'a> {
    host: String,
    path: &'a str,
    query: &'a str,
    fragment: &'a str,
}

impl<'a> Url<'a> {
    fn parse(url: &'a str) -> Option<Url<'a>> {
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
        let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (host, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
        let host = host.rsplit('@').next()?.split(':').next()?.to_ascii_lowercase();
        if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>') {
            return None;
        }
        Some(Url { host, path, query, fragment })
    }

    fn query(&self, key: &str) -> Option<&'a str> {
        pair_value(self.query, key)
    }

    fn fragment_value(&self, key: &str) -> Option<&'a str> {
        pair_value(self.fragment, key)
    }
}

fn pair_value<'a>(pairs: &'a str, key: &str) -> Option<&'a str> {
    pairs.split('&').filter_map(|pair| pair.split_once('=')).find(|(k, _)| *k == key).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embed(url: &str) -> Embed {
        match media(url) {
            Ok(Media::Embed(embed)) => embed,
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn youtube_urls_in_every_form() {
        for url in [
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ",
            "http://m.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://youtu.be/dQw4w9WgXcQ",
            "https://www.youtube.com/embed/dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "https://www.youtube.com/shorts/dQw4w9WgXcQ",
        ] {
            let e = embed(url);
            assert_eq!((e.provider, e.id.as_str(), e.start), (Provider::YouTube, "dQw4w9WgXcQ", None), "{url}");
        }
    }

    #[test]
    fn youtube_start_times() {
        assert_eq!(embed("https://youtu.be/dQw4w9WgXcQ?t=90").start, Some(90));
        assert_eq!(embed("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s").start, Some(90));
        assert_eq!(embed("https://www.youtube.com/embed/dQw4w9WgXcQ?start=75").start, Some(75));
        assert_eq!(embed("https://www.youtube.com/watch?v=dQw4w9WgXcQ#t=1h0m2s").start, Some(3602));
        let e = embed("https://youtu.be/dQw4w9WgXcQ?t=1m30s");
        assert_eq!(e.player(), "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=90");
        assert_eq!(e.link(), "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=90s");
        assert!(media("https://youtu.be/dQw4w9WgXcQ?t=soon").unwrap_err().contains("start time"));
    }

    #[test]
    fn start_time_forms() {
        assert_eq!(start_time("90"), Some(90));
        assert_eq!(start_time("90s"), Some(90));
        assert_eq!(start_time("2m"), Some(120));
        assert_eq!(start_time("1:02:03"), Some(3723));
        assert_eq!(start_time("m"), None);
        assert_eq!(start_time("1x"), None);
        assert_eq!(start_time(""), None);
    }

    #[test]
    fn bad_youtube_ids_and_urls_are_errors() {
        assert_eq!(
            Embed::new(Provider::YouTube, "\"><script>").unwrap_err(),
            "invalid youtube id \"\\\"><script>\" (expected 11 letters, digits, `-` or `_`)"
        );
        assert!(media("https://youtu.be/short").unwrap_err().starts_with("invalid youtube id \"short\""));
        assert!(media("https://www.youtube.com/playlist?list=PL1").unwrap_err().starts_with("invalid youtube URL"));
        assert!(media("https://www.youtube.com/watch?v=dQw4w9WgXcQ\"x").is_err());
    }

    #[test]
    fn vimeo_urls() {
        let e = embed("https://vimeo.com/76979871");
        assert_eq!(e.player(), "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1");
        let e = embed("https://player.vimeo.com/video/76979871?h=8272103f6e#t=1m");
        assert_eq!((e.hash.as_deref(), e.start), (Some("8272103f6e"), Some(60)));
        assert_eq!(e.link(), "https://vimeo.com/76979871/8272103f6e#t=60s");
        assert_eq!(embed("https://vimeo.com/channels/staffpicks/76979871").id, "76979871");
        assert!(media("https://vimeo.com/about").unwrap_err().starts_with("invalid vimeo URL"));
    }

    #[test]
    fn speaker_deck_player_embeds_and_deck_pages_link() {
        let e = embed("https://speakerdeck.com/player/0123456789abcdef0123456789ABCDEF");
        assert_eq!(e.id, "0123456789abcdef0123456789abcdef");
        let deck = "https://speakerdeck.com/example/let-it-crash-gently";
        assert_eq!(media(deck), Ok(Media::Link(deck.to_owned())));
        assert!(media("https://speakerdeck.com/player/nothex").unwrap_err().starts_with("invalid speakerdeck id"));
    }

    #[test]
    fn other_urls_are_links_and_other_schemes_errors() {
        let pdf = "https://example.org/slides.pdf";
        assert_eq!(media(pdf), Ok(Media::Link(pdf.to_owned())));
        assert_eq!(media("/slides/talk.pdf"), Ok(Media::Link("/slides/talk.pdf".to_owned())));
        assert!(media("javascript:alert(1)").is_err());
        assert!(media("//evil.example/x").is_err());
    }

    #[test]
    fn placeholder_is_a_titled_link_with_nothing_from_the_provider() {
        let mut e = Embed::new(Provider::YouTube, "dQw4w9WgXcQ").unwrap();
        e.title = Some("A <b> talk".into());
        e.poster = Some("/img/p.jpg".into());
        let html = e.placeholder_html();
        assert!(
            html.starts_with("<a class=\"embed embed-youtube\" href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\"")
        );
        assert!(html.contains("data-embed=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1\""));
        assert!(html.contains("A &lt;b&gt; talk"));
        assert!(html.contains("<img class=\"embed-poster\" src=\"/img/p.jpg\""));
        assert!(!html.contains("<iframe") && !html.contains("ytimg"));
        assert_eq!(
            e.link_html(),
            "<a class=\"embed-link\" href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\">A &lt;b&gt; talk</a> (YouTube)"
        );
    }

    #[test]
    fn posters_must_be_local() {
        assert_eq!(local_path("/img/x.jpg", "/blog").unwrap(), "/blog/img/x.jpg");
        assert_eq!(local_path("x.jpg", "/blog").unwrap(), "x.jpg");
        assert!(local_path("https://i.ytimg.com/vi/x/hq.jpg", "").is_err());
        assert!(local_path("//i.ytimg.com/x.jpg", "").is_err());
        assert!(local_path("javascript:x", "").is_err());
    }
}
