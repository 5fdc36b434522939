//! Talk recaps and privacy-first embeds: the talk card and its JSON-LD, `/talks/`, shortcodes,
//! bare video URLs, validation, and a real browser clicking a placeholder.

use serde_json::Value;

use crate::browser::{Browser, Server, is_local};
use crate::harness::{Build, Page, TestSite};

const TALK: &str = "talk:
  title: Let it crash, gently
  event: ElixirConf EU
  date: 2019-03-14
  location: Prague
  video: https://www.youtube.com/watch?v=dQw4w9WgXcQ
  slides: https://speakerdeck.com/example/let-it-crash-gently";

/// The sample site's talk recap, as the content writer will have it.
fn talk_recap() -> TestSite {
    let site = TestSite::with_config("title = \"Talks\"\nbase_url = \"https://example.com/\"\nauthor = \"Ada\"\n");
    site.post(
        "let-it-crash",
        "Recap: Let it crash, gently",
        "2019-03-20",
        TALK,
        "How the talk went.\n\n{{ youtube(id=\"aqz-KE-bpKQ\", title=\"The demo, in full\") }}\n\nThanks!",
    );
    site
}

fn json_ld(page: &Page) -> Value {
    let script = page.select(".talk-card script[type=\"application/ld+json\"]");
    assert_eq!(script.len(), 1, "one JSON-LD block in the card");
    let text: String = script[0].text().collect();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("JSON-LD does not parse: {e}\n{text}"))
}

fn attr(page: &Page, css: &str, name: &str) -> Vec<String> {
    page.select(css).iter().filter_map(|e| e.value().attr(name).map(str::to_owned)).collect()
}

/// Every address a page would load by itself, without a click: scripts, styles, images,
/// frames, media.
fn loaded_addresses(page: &Page) -> Vec<String> {
    let mut urls = Vec::new();
    for (css, name) in [
        ("script[src]", "src"),
        ("link[href]:not([rel=\"canonical\"]):not([rel=\"alternate\"])", "href"),
        ("img[src]", "src"),
        ("iframe[src]", "src"),
        ("video[src], audio[src], source[src], embed[src]", "src"),
        ("object[data]", "data"),
        ("[poster]", "poster"),
    ] {
        urls.extend(attr(page, css, name));
    }
    urls
}

fn assert_private(build: &Build, url: &str) {
    let page = build.page(url);
    let third_party: Vec<String> = loaded_addresses(&page).into_iter().filter(|u| !is_local(u)).collect();
    assert!(third_party.is_empty(), "{url} loads {third_party:?}");
    assert!(page.select("iframe").is_empty(), "{url} has an iframe before any click");
    let html = build.text(url);
    for host in ["ytimg.com", "vimeocdn.com", "speakerdeck.com/assets", "i.vimeocdn", "googlevideo"] {
        assert!(!html.contains(host), "{url} mentions {host}");
    }
}

fn single_post(body: &str) -> TestSite {
    let site = TestSite::new();
    site.post("p", "P", "2020-01-01", "", body);
    site
}

#[test]
fn talk_card_shows_the_talk_the_recording_and_the_slides() {
    let site = talk_recap();
    let build = site.build();
    let page = build.page("/posts/let-it-crash/");
    assert_eq!(page.text(".talk-card .talk-title"), "Let it crash, gently");
    assert_eq!(page.text(".talk-card .talk-event"), "ElixirConf EU");
    assert_eq!(page.text(".talk-card .talk-date"), "March 14, 2019");
    assert_eq!(page.text(".talk-card .talk-location"), "Prague");
    // The recording is a placeholder linking to the video; the deck page can only be linked.
    assert_eq!(attr(&page, ".talk-video a.embed", "href"), ["https://www.youtube.com/watch?v=dQw4w9WgXcQ"]);
    assert_eq!(
        attr(&page, ".talk-video a.embed", "data-embed"),
        ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"]
    );
    assert_eq!(page.hrefs(".talk-slides a"), ["https://speakerdeck.com/example/let-it-crash-gently"]);
    assert!(page.select(".talk-slides .embed").is_empty());
    assert_private(&build, "/posts/let-it-crash/");
}

#[test]
fn talk_card_carries_an_event_with_its_recording_as_json_ld() {
    let site = talk_recap();
    let build = site.build();
    let data = json_ld(&build.page("/posts/let-it-crash/"));
    assert_eq!(data["@context"], "https://schema.org");
    assert_eq!(data["@type"], "Event");
    assert_eq!(data["name"], "Let it crash, gently");
    assert_eq!(data["superEvent"]["name"], "ElixirConf EU");
    assert_eq!(data["location"]["name"], "Prague");
    assert!(data["startDate"].as_str().unwrap().starts_with("2019-03-14"), "{data}");
    assert_eq!(data["performer"]["name"], "Ada");
    assert_eq!(data["url"], "https://example.com/posts/let-it-crash/");
    let video = &data["recordedIn"];
    assert_eq!(video["@type"], "VideoObject");
    assert_eq!(video["url"], "https://www.youtube.com/watch?v=dQw4w9WgXcQ");
    assert_eq!(video["embedUrl"], "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1");
    assert_eq!(data["workFeatured"]["url"], "https://speakerdeck.com/example/let-it-crash-gently");
}

#[test]
fn json_ld_cannot_close_its_script() {
    let site = TestSite::new();
    site.post("t", "T", "2020-01-01", "talk:\n  title: \"</script><script>alert(1)</script>\"\n  event: A & B", "x");
    let build = site.build();
    let html = build.text("/posts/t/");
    assert!(!html.contains("</script><script>alert(1)"), "the title broke out of the JSON-LD");
    let data = json_ld(&build.page("/posts/t/"));
    assert_eq!(data["name"], "</script><script>alert(1)</script>");
    assert_eq!(data["superEvent"]["name"], "A & B");
}

#[test]
fn speaker_deck_player_slides_embed_and_other_slides_link() {
    let site = TestSite::new();
    site.post(
        "deck",
        "Deck",
        "2020-01-01",
        "talk:\n  title: Deck\n  slides: https://speakerdeck.com/player/0123456789abcdef0123456789abcdef",
        "x",
    );
    site.post(
        "pdf",
        "Pdf",
        "2020-01-02",
        "talk:\n  title: Pdf\n  video: https://vimeo.com/76979871#t=1m30s\n  slides: /slides/pdf-talk.pdf",
        "x",
    );
    let build = site.build();
    let deck = build.page("/posts/deck/");
    assert_eq!(
        attr(&deck, ".talk-slides a.embed-speakerdeck", "data-embed"),
        ["https://speakerdeck.com/player/0123456789abcdef0123456789abcdef"]
    );
    assert!(deck.select(".talk-video").is_empty());
    let pdf = build.page("/posts/pdf/");
    assert_eq!(pdf.hrefs(".talk-slides a"), ["/slides/pdf-talk.pdf"]);
    assert_eq!(
        attr(&pdf, ".talk-video a.embed-vimeo", "data-embed"),
        ["https://player.vimeo.com/video/76979871?autoplay=1&dnt=1#t=90s"]
    );
    assert_eq!(json_ld(&pdf)["workFeatured"]["url"], "https://example.com/slides/pdf-talk.pdf");
    assert_private(&build, "/posts/deck/");
    assert_private(&build, "/posts/pdf/");
}

#[test]
fn talks_page_lists_every_talk_newest_first_with_event_and_date() {
    let site = TestSite::new();
    site.post("old", "Old recap", "2019-01-10", "talk:\n  title: Old talk\n  event: Meetup\n  date: 2019-01-05", "x");
    // Posted later about an earlier talk: the talk's own date orders the list.
    site.post("late", "Late recap", "2019-06-01", "talk:\n  title: Late talk\n  event: Conf\n  date: 2018-12-01", "x");
    site.post("new", "New recap", "2019-05-01", "talk:\n  event: Summit\n  date: 2019-04-30", "x");
    site.post("plain", "Not a talk", "2019-07-01", "", "x");
    let build = site.build();
    let page = build.page("/talks/");
    assert_eq!(page.texts(".talk-list h2"), ["New recap", "Old talk", "Late talk"]);
    assert_eq!(page.texts(".talk-list .talk-event"), ["Summit", "Meetup", "Conf"]);
    assert_eq!(page.texts(".talk-list .talk-date"), ["April 30, 2019", "January 5, 2019", "December 1, 2018"]);
    assert_eq!(page.hrefs(".talk-list h2 a"), ["/posts/new/", "/posts/old/", "/posts/late/"]);
    assert!(!page.body_text().contains("Not a talk"));
}

#[test]
fn every_shortcode_form_becomes_a_placeholder() {
    let site = single_post(
        "{{ youtube(id=\"dQw4w9WgXcQ\", title=\"Call form\", start=\"1m30s\") }}

{{ vimeo(id=\"76979871\") }}

{{ vimeo(id=76979871, title='Unquoted number') }}

{{ speakerdeck(id=\"0123456789abcdef0123456789abcdef\", title=\"Deck\") }}

{{< youtube aqz-KE-bpKQ >}}

{{< vimeo id=\"146022717\" title=\"Hugo vimeo\" >}}

Inline {{ youtube(id=\"aqz-KE-bpKQ\") }} in a sentence.",
    );
    let build = site.build();
    let page = build.page("/posts/p/");
    assert_eq!(
        attr(&page, ".content a.embed", "data-embed"),
        [
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=90",
            "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1",
            "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1",
            "https://speakerdeck.com/player/0123456789abcdef0123456789abcdef",
            "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ?autoplay=1",
            "https://player.vimeo.com/video/146022717?autoplay=1&dnt=1",
            "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ?autoplay=1",
        ]
    );
    assert_eq!(
        page.hrefs(".content a.embed")[..2],
        ["https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=90s", "https://vimeo.com/76979871"]
    );
    assert_eq!(
        page.texts(".content a.embed .embed-title"),
        [
            "Call form",
            "Video on Vimeo",
            "Unquoted number",
            "Deck",
            "Video on YouTube",
            "Hugo vimeo",
            "Video on YouTube"
        ]
    );
    // A call inside a sentence stays inside its paragraph.
    assert_eq!(page.select(".content p a.embed").len(), 1);
    assert!(page.text(".content p").starts_with("Inline"));
    assert_private(&build, "/posts/p/");
}

#[test]
fn placeholder_is_titled_and_focusable_and_loads_the_script() {
    let site = single_post("{{ youtube(id=\"dQw4w9WgXcQ\", title=\"My talk\", poster=\"/img/poster.jpg\") }}");
    let build = site.build();
    let page = build.page("/posts/p/");
    let link = &page.select(".content a.embed")[0];
    // A link with an href is focusable and works without JavaScript.
    assert_eq!(link.value().attr("href"), Some("https://www.youtube.com/watch?v=dQw4w9WgXcQ"));
    assert_eq!(link.value().attr("data-embed-title"), Some("My talk"));
    assert!(link.text().collect::<String>().contains("My talk"));
    assert_eq!(attr(&page, ".content a.embed img", "src"), ["/img/poster.jpg"]);
    assert_eq!(attr(&page, "script[src$=\"embed.js\"]", "src"), ["/embed.js"]);
    assert_eq!(page.select("script[src$=\"embed.js\"][defer]").len(), 1);
    let script = build.text("/embed.js");
    assert!(script.len() < 2048, "embed.js is {} bytes", script.len());
    for needed in ["loading", "lazy", "allowfullscreen", "title", "data-embed"] {
        assert!(script.contains(needed), "embed.js does not set {needed}");
    }
    // Pages without an embed do not load it.
    let home = build.page("/");
    assert!(home.select("script[src$=\"embed.js\"]").is_empty());
}

#[test]
fn posters_and_the_script_follow_a_base_path_and_remote_posters_are_refused() {
    let site = TestSite::with_config("title = \"T\"\nbase_url = \"https://example.com/blog/\"\n");
    site.post("p", "P", "2020-01-01", "", "{{ youtube(id=\"dQw4w9WgXcQ\", poster=\"/img/p.jpg\") }}");
    let build = site.build();
    let page = build.page("/posts/p/");
    assert_eq!(attr(&page, "a.embed img", "src"), ["/blog/img/p.jpg"]);
    assert_eq!(attr(&page, "script[src$=\"embed.js\"]", "src"), ["/blog/embed.js"]);

    let site = single_post("{{ youtube(id=\"dQw4w9WgXcQ\", poster=\"https://i.ytimg.com/vi/dQw4w9WgXcQ/hq.jpg\") }}");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    assert!(build.stderr().contains("content/posts/p.md:5:1: poster \"https://i.ytimg.com"), "{}", build.stderr());
}

#[test]
fn escaped_call_is_written_out_literally() {
    let site = single_post("Write {{/* youtube(id=\"dQw4w9WgXcQ\") */}} to embed a video.");
    let build = site.build();
    let page = build.page("/posts/p/");
    assert_eq!(page.text(".content p"), "Write {{ youtube(id=\"dQw4w9WgXcQ\") }} to embed a video.");
    assert!(page.select("a.embed").is_empty());
}

#[test]
fn a_bare_video_url_alone_in_its_paragraph_embeds() {
    let site = single_post(
        "Before.

https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=90

<https://vimeo.com/76979871>

See https://youtu.be/dQw4w9WgXcQ for more.

https://www.youtube.com/@somechannel

https://example.com/video",
    );
    let build = site.build();
    let page = build.page("/posts/p/");
    assert_eq!(
        attr(&page, ".content a.embed", "data-embed"),
        [
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=90",
            "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1"
        ]
    );
    let text = page.text(".content");
    assert!(text.contains("See https://youtu.be/dQw4w9WgXcQ for more."), "{text}");
    assert!(text.contains("https://www.youtube.com/@somechannel"), "{text}");
    assert_private(&build, "/posts/p/");
}

#[test]
fn code_is_left_alone() {
    let site = single_post(
        "Use `{{ youtube(id=\"bad\") }}` in a post.

```markdown
{{ youtube(id=\"bad\") }}
{{< youtube bad >}}
{{/* youtube(id=\"x\") */}}
https://youtu.be/dQw4w9WgXcQ
```

    {{ unknown(x=1) }}

~~~
https://vimeo.com/76979871
~~~",
    );
    let build = site.build();
    let page = build.page("/posts/p/");
    assert!(page.select("a.embed").is_empty());
    assert_eq!(page.text("p code"), "{{ youtube(id=\"bad\") }}");
    let blocks = page.texts("pre code");
    assert_eq!(blocks.len(), 3);
    assert!(blocks[0].contains("{{ youtube(id=\"bad\") }} {{< youtube bad >}} {{/* youtube(id=\"x\") */}}"));
    assert_eq!(blocks[1], "{{ unknown(x=1) }}");
    assert_eq!(blocks[2], "https://vimeo.com/76979871");
}

#[test]
fn text_that_only_looks_like_templating_stays_text() {
    let site = single_post(
        "Jekyll: {% link _posts/x.md %} and {{ site.url }}.

Liquid {{ release.url }}, Tera {{ page.title | upper }}, Hugo {{< figure src=\"x.png\" >}} and {{% notice %}}.

Go templates: {{ .Title }} and spaced {{ youtube (id=\"x\") }}.",
    );
    let build = site.build();
    let page = build.page("/posts/p/");
    let text = page.text(".content");
    for kept in [
        "{% link _posts/x.md %}",
        "{{ site.url }}",
        "{{ release.url }}",
        "{{ page.title | upper }}",
        "{{< figure src=",
        "{{% notice %}}",
        "{{ .Title }}",
        "{{ youtube (id=",
    ] {
        assert!(text.contains(kept), "{kept} is gone from: {text}");
    }
    assert!(page.select(".content figure, .content img, a.embed").is_empty());
}

#[test]
fn an_id_that_is_not_of_the_providers_shape_fails_the_build_never_reaching_the_page() {
    let site = TestSite::new();
    site.post("good", "Good", "2020-01-01", "", "fine");
    let good = site.build();
    assert!(good.exists("/posts/good/"));
    site.post("x", "X", "2020-01-02", "", "Intro.\n\n{{ youtube(id=\"\\\"><script>alert(1)</script>\") }}");
    site.post("y", "Y", "2020-01-03", "", "{{< vimeo 12ab >}}\n\n{{ speakerdeck(id=\"let-it-crash\") }}");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    let stderr = build.stderr();
    // The post's front matter is four lines, so its body starts on line 5.
    assert!(
        stderr.contains("content/posts/x.md:7:1: invalid youtube id \"\\\"><script>alert(1)</script>\""),
        "{stderr}"
    );
    assert!(stderr.contains("content/posts/y.md:5:1: invalid vimeo id \"12ab\""), "{stderr}");
    assert!(stderr.contains("content/posts/y.md:7:1: invalid speakerdeck id \"let-it-crash\""), "{stderr}");
    // The previous output stands, and holds no trace of the attempt.
    assert!(!build.exists("/posts/x/"));
    assert!(build.exists("/posts/good/"));
}

#[test]
fn a_bad_talk_video_or_slides_url_is_an_error_at_the_talk_line() {
    let site = TestSite::new();
    site.post(
        "t",
        "T",
        "2020-01-01",
        "tags: [a]\ntalk:\n  video: https://www.youtube.com/watch?v=short\n  slides: javascript:alert(1)",
        "x",
    );
    site.post("u", "U", "2020-01-01", "talk:\n  video: https://vimeo.com/about\n  date: someday", "x");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    let stderr = build.stderr();
    assert!(stderr.contains("content/posts/t.md:5:1: invalid youtube id \"short\""), "{stderr}");
    assert!(stderr.contains("content/posts/t.md:5:1: invalid URL \"javascript:alert(1)\""), "{stderr}");
    assert!(stderr.contains("content/posts/u.md:4:1: invalid vimeo URL \"https://vimeo.com/about\""), "{stderr}");
    assert!(stderr.contains("content/posts/u.md:4:1: `talk.date`: \"someday\" is not a date"), "{stderr}");
}

#[test]
fn an_unknown_shortcode_is_an_error_that_lists_the_known_ones() {
    let site = single_post("Fine.\n\nSee {{ tweet(id=\"1\") }} here.");
    site.file("templates/shortcodes/note.html", "<aside>{{ text }}</aside>");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    let stderr = build.stderr();
    assert!(
        stderr.contains("content/posts/p.md:7:5: unknown shortcode `tweet` (known: note, speakerdeck, vimeo, youtube"),
        "{stderr}"
    );
}

#[test]
fn a_malformed_call_is_a_located_error() {
    let site = single_post("{{ youtube(id=\"dQw4w9WgXcQ\" title=\"x\") }}");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    assert!(
        build.stderr().contains("content/posts/p.md:5:1: malformed shortcode call `youtube(…)`"),
        "{}",
        build.stderr()
    );
}

#[test]
fn user_shortcodes_are_templates_whose_arguments_are_variables() {
    let site = single_post(
        "{{ note(kind=\"warning\", text=\"Mind the <gap>\", level=2, loud=true) }}\n\nAfter {{ note(text=\"inline\") }}.",
    );
    site.file(
        "templates/shortcodes/note.html",
        "<div class=\"note {{ kind | default(value='info') }}\" data-level=\"{{ level | default(value=0) }}\">{{ text }}{% if loud %}!{% endif %}</div>",
    );
    let build = site.build();
    let page = build.page("/posts/p/");
    let notes = page.select(".content div.note");
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0].value().attr("class"), Some("note warning"));
    assert_eq!(notes[0].value().attr("data-level"), Some("2"));
    // Arguments are escaped like any template variable.
    assert_eq!(page.text(".content div.note.warning"), "Mind the <gap>!");
    assert!(build.text("/posts/p/").contains("Mind the &lt;gap&gt;!"));
    assert_eq!(page.texts(".content div.note.info"), ["inline"]);
}

#[test]
fn a_themes_shortcodes_count_too() {
    let site = TestSite::with_config("title = \"T\"\nbase_url = \"https://example.com/\"\ntheme = \"mine\"\n");
    site.file("themes/mine/templates/shortcodes/badge.html", "<b class=\"badge\">{{ label }}</b>");
    site.post("p", "P", "2020-01-01", "", "A {{ badge(label=\"new\") }} post.\n\nhttps://youtu.be/dQw4w9WgXcQ");
    let build = site.build();
    assert_eq!(build.page("/posts/p/").text("b.badge"), "new");
    // A theme without its own embed.js still gets the built-in one its placeholders need.
    assert!(build.text("/embed.js").contains("data-embed"));
}

#[test]
fn an_overridden_builtin_template_is_used_and_still_validated() {
    let site = single_post("{{ youtube(id=\"dQw4w9WgXcQ\", title=\"Mine\") }}");
    site.file(
        "templates/shortcodes/youtube.html",
        "<div class=\"my-video\" data-id=\"{{ id }}\" data-player=\"{{ player }}\">{{ title }}: {{ placeholder | safe }}</div>",
    );
    let build = site.build();
    let page = build.page("/posts/p/");
    assert_eq!(attr(&page, ".my-video", "data-id"), ["dQw4w9WgXcQ"]);
    assert_eq!(
        attr(&page, ".my-video", "data-player"),
        ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"]
    );
    assert_eq!(page.select(".my-video a.embed").len(), 1);

    site.post("x", "X", "2020-01-02", "", "{{ youtube(id=\"\\\"><script>alert(1)</script>\") }}");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    assert!(build.stderr().contains("content/posts/x.md:5:1: invalid youtube id"), "{}", build.stderr());
    assert!(!build.exists("/posts/x/"));
}

#[test]
fn a_summary_shows_an_embed_as_a_plain_link() {
    let site = single_post("Watch {{ youtube(id=\"dQw4w9WgXcQ\", title=\"The talk\") }} first.\n\nMore.");
    let build = site.build();
    let home = build.page("/");
    assert_eq!(home.hrefs(".summary a.embed-link"), ["https://www.youtube.com/watch?v=dQw4w9WgXcQ"]);
    assert!(home.select(".summary a.embed").is_empty());
    assert_private(&build, "/");
}

#[test]
fn sample_talk_recap_builds_private_with_card_and_inline_embed() {
    let site = talk_recap();
    let build = site.build();
    let page = build.page("/posts/let-it-crash/");
    assert_eq!(page.select(".talk-card a.embed").len(), 1);
    assert_eq!(attr(&page, ".content a.embed", "href"), ["https://www.youtube.com/watch?v=aqz-KE-bpKQ"]);
    assert_eq!(page.text(".content a.embed .embed-title"), "The demo, in full");
    assert_eq!(build.page("/talks/").texts(".talk-list h2"), ["Let it crash, gently"]);
    for url in ["/", "/talks/", "/posts/let-it-crash/"] {
        assert_private(&build, url);
    }
}

/// The real thing: a browser loads the page, which tries nothing third-party; a click on the
/// placeholder swaps in the youtube-nocookie player.
#[test]
fn browser_loads_nothing_third_party_until_the_click() {
    let Some(browser) = Browser::launch() else { return };
    let site = talk_recap();
    let build = site.build();
    let server = Server::serve(&build.public);
    let mut tab = browser.tab();
    tab.navigate(&server.url("/posts/let-it-crash/"));

    assert!(
        tab.requests().iter().any(|url| url.ends_with("/embed.js")),
        "embed.js was not loaded: {:?}",
        tab.requests()
    );
    assert_eq!(tab.third_party_requests(), Vec::<String>::new(), "before any click");
    assert_eq!(tab.evaluate("document.querySelectorAll('iframe').length"), 0);
    // The placeholder is reachable from the keyboard.
    assert_eq!(tab.evaluate("(() => { const a = document.querySelector('.content a.embed'); a.focus(); return document.activeElement === a; })()"), true);

    tab.click(".content a.embed");
    let frame = tab.evaluate(
        "(() => { const f = document.querySelector('.content iframe'); return f && \
         {src: f.src, title: f.title, lazy: f.getAttribute('loading'), full: f.hasAttribute('allowfullscreen')}; })()",
    );
    assert_eq!(frame["src"], "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ?autoplay=1", "{frame}");
    assert_eq!(frame["title"], "The demo, in full");
    assert_eq!(frame["lazy"], "lazy");
    assert_eq!(frame["full"], true);
    // The talk card's own placeholder is untouched until it is clicked too.
    assert_eq!(tab.evaluate("document.querySelectorAll('.talk-card a.embed').length"), 1);
    // Only now does the page reach out, and only to the player; the recorder sees it.
    let player = tab.wait_for_request(|url| !is_local(url));
    assert!(player.starts_with("https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"), "{player}");

    let shot = tempfile::tempdir().unwrap();
    tab.screenshot(&shot.path().join("after-click.png"));
    let png = std::fs::read(shot.path().join("after-click.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
}
