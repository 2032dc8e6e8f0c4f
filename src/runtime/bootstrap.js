// csprefix bootstrap: runs first in the document, before any module.
//
// It finds the mount root (the proxy's prefix, such as /rnode/host/8080) in
// the page path, then keeps it out of what the app sees and adds it to what
// leaves the app:
// - the app reads the page location through self.__csprefix_loc, whose
//   pathname and href lack the mount root (the tool rewrote those reads);
// - history, fetch, XHR, WebSocket, EventSource, Worker, sendBeacon,
//   window.open, URL attributes and properties gain the mount root;
// - attributes the tool renamed to data-csprefix-* in the markup are put
//   back with the mount root.
// Served at / (no prefix found), everything passes through unchanged.
// The tool replaces the CONFIG marker with the site's settings.
(function () {
"use strict";
var cfg = /*CONFIG*/{};
if (self.__csprefix_loc) { return; }
var L = window.location;
var root = "";
if (typeof cfg.fixed === "string") {
  if (L.pathname === cfg.fixed || L.pathname.indexOf(cfg.fixed + "/") === 0) { root = cfg.fixed; }
} else {
  var m = new RegExp(cfg.pattern).exec(L.pathname);
  if (m) { root = m[0].replace(/\/+$/, ""); }
}
self.__csprefix_root = root;
var P = "data-csprefix-";
function under(p) { return p === root || p.indexOf(root + "/") === 0; }
function strip(p) { return root && under(p) ? (p.slice(root.length) || "/") : p; }
function add(u) {
  if (u instanceof URL) { u = u.href; }
  if (!root || typeof u !== "string") { return u; }
  var c = u.charAt(1);
  if (u.charAt(0) === "/" && c !== "/" && c !== "\\") {
    return under(u.split(/[?#]/)[0]) ? u : root + u;
  }
  if (u.indexOf(L.origin + "/") === 0) { return L.origin + add(u.slice(L.origin.length)); }
  return u;
}
function addWs(u) {
  u = String(u);
  var w = /^(wss?:\/\/)([^\/?#]*)(.*)$/i.exec(u);
  if (w && w[2] === L.host) { return w[1] + w[2] + add(w[3] || "/"); }
  return add(u);
}
function addSrcset(v) {
  return String(v).replace(/(^|,)(\s*)(\/[^\s,]*)/g, function (all, sep, sp, url) { return sep + sp + add(url); });
}
function addCss(t) {
  return String(t).replace(/(url\(\s*["']?|@import\s+["']|[(,]\s*["'])(\/[^\/\\])/gi, function (all, head, path) { return head + root + path; });
}
// The location as the app sees it.
var loc = {};
["protocol", "host", "hostname", "port", "origin", "search", "hash"].forEach(function (k) {
  Object.defineProperty(loc, k, { enumerable: true, get: function () { return L[k]; }, set: function (v) { L[k] = v; } });
});
Object.defineProperty(loc, "pathname", { enumerable: true, get: function () { return strip(L.pathname); }, set: function (v) { L.pathname = add(String(v)); } });
Object.defineProperty(loc, "href", { enumerable: true, get: function () { return L.origin + strip(L.pathname) + L.search + L.hash; }, set: function (v) { L.href = add(String(v)); } });
loc.assign = function (u) { L.assign(add(String(u))); };
loc.replace = function (u) { L.replace(add(String(u))); };
loc.reload = function () { L.reload(); };
loc.toString = function () { return loc.href; };
self.__csprefix_loc = loc;
// `o.location` where o may be the window handed on as a value.
self.__csprefix_lo = function (o) { return o === window || o === document ? loc : o.location; };
// Called by a second inline script right after the document's last
// renamed <script> or <link>: writes them into the page while it is being
// parsed, so stylesheets block scripts and scripts keep their order, as
// they did in the original markup.
self.__csprefix_flush = function () {
  if (document.readyState !== "loading") { return restore(); }
  var els = document.querySelectorAll("script[" + P + "src],link[" + P + "href]"), out = "";
  for (var i = 0; i < els.length; i++) {
    var el = els[i], tag = el.tagName.toLowerCase(), s = "<" + tag;
    for (var j = 0; j < el.attributes.length; j++) {
      var at = el.attributes[j], k = at.name, v = at.value;
      if (k.indexOf(P) === 0) {
        k = k.slice(P.length);
        v = k === "srcset" || k === "imagesrcset" ? addSrcset(v) : add(v);
      }
      s += " " + k + "=\"" + String(v).replace(/&/g, "&amp;").replace(/"/g, "&quot;") + "\"";
    }
    // The written copy takes the original's place.
    el.parentNode.removeChild(el);
    out += s + (tag === "script" ? "><\/script>" : ">");
  }
  document.write(out);
};
if (!root) { return restore(); }
// Where URLs leave the app.
["pushState", "replaceState"].forEach(function (k) {
  var f = history[k];
  history[k] = function (s, t, u) { return arguments.length > 2 ? f.call(this, s, t, add(u)) : f.apply(this, arguments); };
});
var F = self.fetch;
if (F) {
  self.fetch = function (i, o) {
    if (typeof i === "string" || i instanceof URL) { i = add(i); } else if (i && i.url && add(i.url) !== i.url) { i = new Request(add(i.url), i); }
    return F.call(this, i, o);
  };
}
var XO = XMLHttpRequest.prototype.open;
XMLHttpRequest.prototype.open = function (meth, u) {
  var a = Array.prototype.slice.call(arguments);
  a[1] = add(u);
  return XO.apply(this, a);
};
function wrap(name, fix) {
  var C = self[name];
  if (!C) { return; }
  var W = function (u, o) { return arguments.length > 1 ? new C(fix(u), o) : new C(fix(u)); };
  W.prototype = C.prototype;
  Object.setPrototypeOf(W, C);
  self[name] = W;
}
wrap("WebSocket", addWs);
wrap("EventSource", add);
wrap("Worker", add);
wrap("SharedWorker", add);
if (navigator.sendBeacon) {
  var SB = navigator.sendBeacon;
  navigator.sendBeacon = function (u, d) { return SB.call(navigator, add(u), d); };
}
var WO = window.open;
window.open = function (u) {
  var a = Array.prototype.slice.call(arguments);
  if (a.length) { a[0] = add(u); }
  return WO.apply(window, a);
};
// URL attributes and properties of elements.
var URLS = { href: 1, src: 1, action: 1, formaction: 1, poster: 1 };
var E = Element.prototype, setA = E.setAttribute, getA = E.getAttribute;
function isUrl(el, k) { return URLS[k] === 1 || (k === "data" && el.tagName === "OBJECT"); }
E.setAttribute = function (n, v) {
  var k = String(n).toLowerCase();
  if (isUrl(this, k)) { v = add(String(v)); } else if (k === "srcset" || k === "imagesrcset") { v = addSrcset(v); }
  return setA.call(this, n, v);
};
E.getAttribute = function (n) {
  var v = getA.call(this, n);
  if (typeof v === "string" && isUrl(this, String(n).toLowerCase())) { return strip(v); }
  return v;
};
[["HTMLAnchorElement", "href"], ["HTMLAreaElement", "href"], ["HTMLLinkElement", "href"], ["HTMLBaseElement", "href"],
 ["HTMLImageElement", "src"], ["HTMLImageElement", "srcset"], ["HTMLScriptElement", "src"], ["HTMLIFrameElement", "src"],
 ["HTMLSourceElement", "src"], ["HTMLSourceElement", "srcset"], ["HTMLMediaElement", "src"], ["HTMLVideoElement", "poster"],
 ["HTMLFormElement", "action"], ["HTMLInputElement", "src"], ["HTMLInputElement", "formAction"], ["HTMLButtonElement", "formAction"],
 ["HTMLTrackElement", "src"], ["HTMLEmbedElement", "src"], ["HTMLObjectElement", "data"]].forEach(function (p) {
  var C = self[p[0]], d = C && Object.getOwnPropertyDescriptor(C.prototype, p[1]);
  if (!d || !d.set) { return; }
  var fix = p[1] === "srcset" ? addSrcset : function (v) { return add(String(v)); };
  Object.defineProperty(C.prototype, p[1], { configurable: true, enumerable: d.enumerable, get: d.get, set: function (v) { d.set.call(this, fix(v)); } });
});
// Links written into the page some other way (innerHTML) are corrected
// when clicked.
document.addEventListener("click", function (e) {
  var a = e.target && e.target.closest && e.target.closest("a[href]");
  if (!a) { return; }
  var h = getA.call(a, "href"), f = add(h);
  if (f !== h) { setA.call(a, "href", f); }
}, true);
return restore();
// Puts back what the tool renamed in the markup, now with the mount root.
function restore() {
  var setAttr = setA || Element.prototype.setAttribute, getAttr = getA || Element.prototype.getAttribute;
  function fixEl(el) {
    // While the page is parsed, scripts and links wait for the flush.
    if ((el.tagName === "SCRIPT" || el.tagName === "LINK") && document.readyState === "loading") { return; }
    var names = [];
    for (var i = 0; i < el.attributes.length; i++) {
      if (el.attributes[i].name.indexOf(P) === 0) { names.push(el.attributes[i].name); }
    }
    if (!names.length) { return; }
    if (el.tagName === "SCRIPT" && names.indexOf(P + "src") >= 0) {
      var s = document.createElement("script");
      for (var j = 0; j < el.attributes.length; j++) {
        var at = el.attributes[j];
        if (at.name !== P + "src") { setAttr.call(s, at.name, at.value); }
      }
      s.async = el.hasAttribute("async");
      setAttr.call(s, "src", add(getAttr.call(el, P + "src")));
      el.removeAttribute(P + "src");
      el.parentNode.insertBefore(s, el.nextSibling);
      return;
    }
    names.forEach(function (n) {
      var k = n.slice(P.length), v = getAttr.call(el, n);
      el.removeAttribute(n);
      if (k === "content" && el.tagName === "META") {
        var meta = document.createElement("meta");
        setAttr.call(meta, "http-equiv", "refresh");
        setAttr.call(meta, "content", v.replace(/(url\s*=\s*["']?)(\/[^\/\\])/i, function (all, head, path) { return head + root + path; }));
        el.parentNode.replaceChild(meta, el);
      } else if (k === "style") {
        setAttr.call(el, "style", addCss(v));
      } else if (k === "srcset" || k === "imagesrcset") {
        setAttr.call(el, k, addSrcset(v));
      } else {
        setAttr.call(el, k, add(v));
      }
    });
  }
  function fixStyle(el) {
    // HTML's STYLE or SVG's style, which keeps its lower case.
    if (String(el.tagName).toLowerCase() !== "style" || getAttr.call(el, "type") !== "text/x-csprefix-css" || el.__csprefix) { return; }
    el.__csprefix = true;
    var s = document.createElementNS(el.namespaceURI, "style");
    if (el.hasAttribute("media")) { setAttr.call(s, "media", getAttr.call(el, "media")); }
    s.textContent = addCss(el.textContent);
    el.parentNode.insertBefore(s, el.nextSibling);
  }
  function sweep(node) {
    if (node.nodeType !== 1) { return; }
    fixEl(node);
    fixStyle(node);
    var all = node.querySelectorAll("*");
    for (var i = 0; i < all.length; i++) { fixEl(all[i]); fixStyle(all[i]); }
  }
  sweep(document.documentElement);
  var mo = new MutationObserver(function (records) {
    records.forEach(function (r) { r.addedNodes.forEach(sweep); });
  });
  mo.observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { sweep(document.documentElement); mo.disconnect(); });
}
})();
