// Keeps the lead inbox's countdowns current without a reload; the page reads fine without it.
// The words come from the page (data-* on this script's tag, in the page's language), the same as the server's.
(function () {
  var tag = document.getElementById("countdown-words");
  var words = (tag && tag.dataset) || {};
  function say(pattern, name, value, fallback) {
    return (pattern || fallback).replace("%(" + name + ")s", value);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var minutes = Math.floor((Date.parse(el.dataset.due) - now) / 60000);
      var late = minutes < 0;
      var n = Math.abs(minutes);
      var span = n < 120 ? say(words.min, "n", n, "%(n)s min")
        : n < 2880 ? say(words.hours, "n", Math.floor(n / 60), "%(n)s uur")
        : say(words.days, "n", Math.floor(n / 1440), "%(n)s dagen");
      el.textContent = late ? say(words.late, "span", span, "%(span)s te laat") : say(words.left, "span", span, "nog %(span)s");
      el.classList.toggle("countdown--late", late);
      el.classList.toggle("countdown--running", !late);
    });
  }
  tick();
  setInterval(tick, 30000);
})();
