// blog serve: live reload. Injected into HTML pages by `blog serve` only; a built site never
// carries it. The server sends JSON messages over a WebSocket:
//   hello  {build, errors}  on connect: the site now served, and the errors of a failed rebuild
//   reload {build}          a new site is complete
//   css    {build}          only stylesheets changed: swap them, keep the page
//   error  {errors}         the rebuild failed: show why (the last good site is still served)
// window.__blogReloads exposes what happened, for tests and the curious.
(() => {
  "use strict";
  const script = document.currentScript;
  const storage = (() => { try { return window.sessionStorage; } catch (_) { return null; } })();
  const scrollKey = "blog-serve:scroll:" + location.pathname;
  const reloadsKey = "blog-serve:reloads";
  const state = (window.__blogReloads = {
    build: script && script.dataset.blogBuild,
    // Page reloads asked for by the server in this tab (kept across them in sessionStorage).
    reloads: Number((storage && storage.getItem(reloadsKey)) || 0),
    stylesheetSwaps: 0,
    errors: [],
    connected: false,
    messages: [],
  });

  // Come back to where the writer was reading.
  const saved = storage && storage.getItem(scrollKey);
  if (saved) {
    const [x, y] = JSON.parse(saved);
    const restore = () => window.scrollTo(x, y);
    restore();
    // Images and fonts arriving later move things; place the page again once they are in.
    window.addEventListener("load", () => { restore(); storage.removeItem(scrollKey); }, { once: true });
  }

  function reload() {
    if (storage) {
      storage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
      storage.setItem(reloadsKey, String(state.reloads + 1));
    }
    location.reload();
  }

  function swapStylesheets(build) {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("blog-serve", build);
      // A new link beside the old one, so the page is never without styles in between.
      const fresh = link.cloneNode();
      fresh.href = url.href;
      const done = () => { link.remove(); state.stylesheetSwaps += 1; };
      fresh.addEventListener("load", done, { once: true });
      fresh.addEventListener("error", done, { once: true });
      link.after(fresh);
    }
  }

  const overlayId = "blog-serve-errors";
  function showErrors(errors) {
    state.errors = errors;
    let overlay = document.getElementById(overlayId);
    if (!errors.length) {
      if (overlay) overlay.remove();
      return;
    }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = overlayId;
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2rem;" +
        "background:rgba(24,24,27,.94);color:#fafafa;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;";
      document.body.appendChild(overlay);
    }
    overlay.replaceChildren();
    const title = document.createElement("p");
    title.style.cssText = "margin:0 0 1rem;color:#fca5a5;font-weight:bold;";
    title.textContent = "The site did not build. This page shows the last version that did.";
    overlay.appendChild(title);
    for (const error of errors) {
      const line = document.createElement("pre");
      line.style.cssText = "margin:0 0 .75rem;white-space:pre-wrap;";
      line.textContent = error;
      overlay.appendChild(line);
    }
  }

  let delay = 250;
  function connect() {
    const socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/__blog/live");
    socket.addEventListener("open", () => { state.connected = true; delay = 250; });
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      state.messages.push(message);
      switch (message.type) {
        case "hello":
          // This page is from an older site (a rebuild happened before it connected).
          if (message.build !== state.build) return reload();
          showErrors(message.errors);
          break;
        case "reload":
          reload();
          break;
        case "css":
          state.build = message.build;
          showErrors([]);
          swapStylesheets(message.build);
          break;
        case "error":
          showErrors(message.errors);
          break;
      }
    });
    socket.addEventListener("close", () => {
      // The server restarted or stopped: try again, more slowly each time.
      state.connected = false;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    });
  }
  connect();
})();
