// Privacy-first embeds: a placeholder is a plain link to the video, and nothing is loaded from
// the video's host until the reader clicks it. Then, and only then, the player takes its place.
document.addEventListener("click", function (event) {
  if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  var link = event.target.closest && event.target.closest("a[data-embed]");
  if (!link) return;
  var src = link.getAttribute("data-embed");
  if (!/^https:\/\//.test(src)) return;
  event.preventDefault();
  var frame = document.createElement("iframe");
  frame.src = src;
  frame.title = link.getAttribute("data-embed-title") || link.textContent;
  frame.className = link.className.replace(/\bembed\b/, "embed-player");
  frame.setAttribute("loading", "lazy");
  frame.setAttribute("allowfullscreen", "");
  frame.setAttribute("allow", "autoplay; encrypted-media; fullscreen; picture-in-picture");
  frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
  link.replaceWith(frame);
  frame.focus();
});
