// Small enhancements of a few pages. Every page works without them: the
// copy buttons stay hidden, and the handle is suggested by the server.
(function () {
  "use strict";

  // <button data-copy="ID" data-done="…" hidden> copies the text of #ID.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.dataset.copy + "-status");
    if (!source) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      var done = function () {
        if (status) {
          status.textContent = button.dataset.done;
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { select(source); });
        return;
      }
      select(source);
      try {
        if (document.execCommand("copy")) {
          done();
        }
      } catch (e) {
        // The text stays selected for the reader to copy.
      }
    });
  });

  function select(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // The organisation form fills the handle from the name as it is typed,
  // until the handle is typed itself; newsroom.SuggestHandle does the same.
  var form = document.querySelector("form[data-suggest-handle]");
  var name = form && form.querySelector("#name");
  var handle = form && form.querySelector("#handle");
  if (name && handle) {
    var own = handle.value !== "";
    handle.addEventListener("input", function () { own = handle.value !== ""; });
    name.addEventListener("input", function () {
      if (!own) {
        handle.value = suggestHandle(name.value);
      }
    });
  }

  var ligatures = { "œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d" };

  function suggestHandle(s) {
    s = s.toLowerCase().replace(/[œæßøłđ]/g, function (c) { return ligatures[c]; });
    s = s.normalize("NFD").replace(/\p{Mn}/gu, "");
    s = s.replace(/[^a-z0-9]+/g, "-").replace(/^-+/, "");
    return s.slice(0, 64).replace(/-+$/, "");
  }
})();
