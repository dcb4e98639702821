// Keeps the lead inbox's countdowns current without a reload; the page reads fine without it.
(function () {
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var minutes = Math.floor((Date.parse(el.dataset.due) - now) / 60000);
      var late = minutes < 0;
      var n = Math.abs(minutes);
      var text = n < 120 ? n + " min" : n < 2880 ? Math.floor(n / 60) + " uur" : Math.floor(n / 1440) + " dagen";
      el.textContent = late ? text + " te laat" : "nog " + text;
      el.classList.toggle("countdown--late", late);
      el.classList.toggle("countdown--running", !late);
    });
  }
  tick();
  setInterval(tick, 30000);
})();
