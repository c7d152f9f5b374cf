"""Gradio's own words on the page, in Swedish, whatever language the visitor's browser is set to.

Gradio picks its interface language from the browser and has no setting to fix it; some of its texts (the
connection-lost toast, "processing |", the file-type error, the chat's aria-labels) are English in every language.
A small script in the page's <head> therefore rewrites those texts and accessible names as they appear. The
dictionary is here, in Python, so that a test can read it; the browser test proves that no English is left.
"""

from __future__ import annotations

import json

# Exact texts (text nodes, aria-label, title, placeholder, alt) → Swedish.
EXACT: dict[str, str] = {
    "Error": "Fel",
    "Warning": "Varning",
    "Info": "Information",
    "Success": "Klart",
    "Close": "Stäng",
    "Clear": "Rensa chatten",  # as Gradio's own Swedish names the chat's trash icon
    "Copy": "Kopiera",
    "Copied": "Kopierat",
    "Copy message": "Kopiera svaret",
    "Copied message": "Kopierat",
    "Copy conversation": "Kopiera samtalet",
    "Copied conversation": "Samtalet är kopierat",
    "chatbot conversation": "Samtal",
    "Chatbot": "Samtal",
    "Scroll down": "Rulla ned",
    "Loading response": "Svaret tas fram",
    "Loading content": "Laddar innehåll",
    "More tabs": "Fler flikar",
    "Submit": "Skicka",
    "Stop": "Stoppa",
    "Retry": "Försök igen",
    "Undo": "Ångra",
    "Edit": "Redigera",
    "Cancel": "Avbryt",
    "Like": "Bra svar",
    "Dislike": "Dåligt svar",
    "Download": "Ladda ned",
    "Dropdown": "Rullgardinsmeny",
    "Uploading": "Laddar upp",
    "Uploading...": "Laddar upp …",
    "Loading...": "Laddar …",
    "Loading": "Laddar",
    "Remove file": "Ta bort filen",
    "Upload a file": "Ladda upp en fil",
    "Connection to the server was lost. Attempting reconnection...": (
        "Anslutningen till servern bröts. Sidan försöker ansluta igen …"
    ),
    "Connection re-established.": "Anslutningen fungerar igen.",
}

# Texts with a variable part, as (JavaScript regular expression, replacement).
PATTERNS: list[tuple[str, str]] = [
    (r"^processing \|", "arbetar |"),
    (r"^queue: (\d+)/(\d*) \|", "i kö: $1/$2 |"),
    (r"^Invalid file types?: (.*)\. Only (.*) allowed\.$", "Filtypen stöds inte: $1. Tillåtna filtyper: $2."),
    (r"^Invalid file type\. Please upload a file that is one of these formats: (.*)$", "Filtypen stöds inte: $1."),
    (r"^(.*) and (\d+) more$", "$1 och $2 till"),
]

_SCRIPT = """
(function () {
  var EXACT = %(exact)s;
  var PATTERNS = %(patterns)s.map(function (p) { return [new RegExp(p[0]), p[1]]; });
  var ATTRS = ["aria-label", "title", "placeholder", "alt"];
  function sv(text) {
    if (!text) return null;
    var t = text.trim();
    if (Object.prototype.hasOwnProperty.call(EXACT, t)) return text.replace(t, EXACT[t]);
    for (var i = 0; i < PATTERNS.length; i++) {
      if (PATTERNS[i][0].test(t)) return text.replace(t, t.replace(PATTERNS[i][0], PATTERNS[i][1]));
    }
    return null;
  }
  function fixElement(el) {
    // A chat message's aria-label is "bot's message: " plus its raw HTML; without it the message itself is read.
    var label = el.getAttribute("aria-label");
    if (label && /^(user|bot|assistant)'s message: /.test(label)) { el.removeAttribute("aria-label"); }
    for (var i = 0; i < ATTRS.length; i++) {
      var v = el.getAttribute(ATTRS[i]);
      var s = v && sv(v);
      if (s !== null && s !== undefined && s !== v) el.setAttribute(ATTRS[i], s);
    }
  }
  function fix(node) {
    if (node.nodeType === 3) {
      var s = sv(node.nodeValue);
      if (s !== null && s !== node.nodeValue) node.nodeValue = s;
      return;
    }
    if (node.nodeType !== 1) return;
    fixElement(node);
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    var n;
    while ((n = walker.nextNode())) {
      if (n.nodeType === 3) {
        var t = sv(n.nodeValue);
        if (t !== null && t !== n.nodeValue) n.nodeValue = t;
      } else fixElement(n);
    }
  }
  function start() {
    fix(document.body);
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        var r = records[i];
        if (r.type === "childList") r.addedNodes.forEach(fix);
        else fix(r.target);
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true,
                                 attributeFilter: ATTRS });
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
"""


def script() -> str:
    """The <script> body that translates Gradio's texts on the page as they appear."""
    return _SCRIPT % {"exact": json.dumps(EXACT, ensure_ascii=False), "patterns": json.dumps(PATTERNS)}
