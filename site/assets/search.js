/* The search page: Pagefind's UI over the index `kb build` writes to pagefind/, merged with
   the bundles of pagefind-parts/ that a large knowledge base's papers are indexed into
   (kb/site/search.py); data-parts lists them. */
(function () {
  "use strict";
  var element = document.getElementById("kb-search");
  if (!element) return;
  if (typeof window.PagefindUI === "undefined") {
    var note = document.createElement("p");
    note.className = "kb-warning";
    note.textContent = "The search index is missing: this site was built without Pagefind.";
    element.appendChild(note);
    return;
  }
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = element.getAttribute("data-css");
  document.head.appendChild(css);
  var bundle = element.getAttribute("data-bundle");
  var base = new URL(bundle, location).pathname.replace(/pagefind\/$/, "");
  var parts = (element.getAttribute("data-parts") || "").split(" ").filter(Boolean);
  var ui = new window.PagefindUI({
    element: "#kb-search",
    bundlePath: bundle,
    baseUrl: base,
    mergeIndex: parts.map(function (part) {
      return { bundlePath: new URL(part, location).pathname, baseUrl: base };
    }),
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    autofocus: true,
  });
  var query = new URLSearchParams(location.search).get("q");
  if (query) ui.triggerSearch(query);
})();
