// The tile bar; the server puts the school's tiles in place of __DATA__.
(function () {
  "use strict";
  var D = __DATA__;
  var s = document.currentScript;
  if (!s || !s.parentNode) { return; }
  var colour = s.getAttribute("data-farbe") || "";
  if (!/^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$/.test(colour)) { colour = "#1d4ed8"; }
  var compact = s.hasAttribute("data-kompakt");
  var nav = document.createElement("nav");
  nav.setAttribute("aria-label", D.label);
  nav.className = "schulhof-kacheln";
  nav.style.font = "inherit";
  nav.style.margin = "0.5em 0";
  var ul = document.createElement("ul");
  ul.style.display = "flex";
  ul.style.flexWrap = "wrap";
  ul.style.gap = compact ? "0.25em" : "0.5em";
  ul.style.listStyle = "none";
  ul.style.margin = "0";
  ul.style.padding = "0";
  D.tiles.forEach(function (t) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = t.href;
    a.textContent = t.label;
    a.style.display = "inline-block";
    a.style.font = "inherit";
    a.style.fontWeight = "600";
    a.style.lineHeight = "1.3";
    a.style.padding = compact ? "0.3em 0.7em" : "0.8em 1.2em";
    a.style.minWidth = compact ? "0" : "7em";
    a.style.textAlign = "center";
    a.style.borderRadius = "0.4em";
    a.style.background = colour;
    a.style.color = "#fff";
    a.style.textDecoration = "none";
    li.appendChild(a);
    ul.appendChild(li);
  });
  nav.appendChild(ul);
  s.parentNode.insertBefore(nav, s.nextSibling);
})();
