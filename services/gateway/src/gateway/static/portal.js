// The portal's own script: start DKFDS's components (menu, date pickers, error summary, ...),
// with the date picker's words in the page's language from the catalogue (a meta tag the page
// renders). Everything works without it; it only enhances. No inline script anywhere (CSP).
(function () {
  "use strict";
  function start() {
    if (!window.DKFDS) return;
    var words = document.querySelector('meta[name="date-picker-text"]');
    if (words && window.DKFDS.datePicker && window.DKFDS.datePicker.setLanguage) {
      try { window.DKFDS.datePicker.setLanguage(JSON.parse(words.content)); } catch (e) { /* keep Danish */ }
    }
    window.DKFDS.init();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
