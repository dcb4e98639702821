// The leads and members lists: a box that ticks every row on the page, and the bulk panel's count of ticked rows.
// Without it the lists work the same (tick rows one by one).
(function () {
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var form = all.dataset.selectAll;
    var boxes = document.querySelectorAll('input[name="ids"][form="' + form + '"]');
    var label = all.closest("label");
    if (label) label.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
        all.checked = ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      });
    });
  });
})();
