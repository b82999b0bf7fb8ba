// The Search page (search: pagefind): Pagefind's own UI over the index that `coe build`
// wrote into pagefind/. The UI loads only the pieces of the index that a query needs.
(function () {
  // This file is assets/coe/coe-search.js: the site's root is two folders up, whatever
  // path the site is served under (GitHub Pages serves it below /<repository>/).
  var script = document.currentScript;
  var root = new URL("../../", script ? script.src : location.href);
  var bundle = new URL("pagefind/", root).href;

  // The index holds each Chinese character as a word (src/coe/search.py says why), so a
  // query's Chinese is searched as its characters: pages holding them all, those with
  // the most first. (Not as a quoted phrase: Pagefind does not rank phrase matches.)
  var HAN = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var hasHan = new RegExp("[" + HAN + "]");
  var hanChar = new RegExp("([" + HAN + "])", "g");
  var hanGap = new RegExp("([" + HAN + "])(</mark>)?\\s+(<mark>)?(?=[" + HAN + "])", "g");

  function processTerm(term) {
    var words = term.trim();
    if (!hasHan.test(words)) return term;
    return words.replace(hanChar, " $1 ").replace(/\s+/g, " ").trim();
  }

  // Results show the indexed text: join its Chinese characters again.
  function join(text) {
    return text ? text.replace(hanGap, "$1$2$3").replace(/<\/mark><mark>/g, "") : text;
  }

  function processResult(result) {
    result.excerpt = join(result.excerpt);
    if (result.meta) result.meta.title = join(result.meta.title);
    (result.sub_results || []).forEach(function (sub) {
      sub.title = join(sub.title);
      sub.excerpt = join(sub.excerpt);
    });
    return result;
  }

  function load(done) {
    if (window.PagefindUI) return done();
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = bundle + "pagefind-ui.css";
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = bundle + "pagefind-ui.js";
    js.onload = done;
    js.onerror = function () {
      var box = document.getElementById("coe-search");
      if (box) box.textContent = "The search index is missing: build the site with `coe build`.";
    };
    document.head.appendChild(js);
  }

  function setUp() {
    var box = document.getElementById("coe-search");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    load(function () {
      var ui = new window.PagefindUI({
        element: box,
        bundlePath: bundle,
        baseUrl: root.pathname, // Pagefind's result links start at the site's root
        showSubResults: true,
        showImages: false,
        resetStyles: false,
        autofocus: true,
        processTerm: processTerm,
        processResult: processResult
      });
      // The header's box sends its words here as ?q=...
      var words = new URLSearchParams(location.search).get("q");
      if (words) ui.triggerSearch(words);
    });
  }

  // Material's instant navigation swaps pages without a reload: hook both.
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
