// Filters the COE index by severity, service and status; the table works without it.
(function () {
  function apply(form) {
    var table = document.querySelector(".coe-index table");
    if (!table) return;
    var wanted = {};
    form.querySelectorAll("select[data-filter]").forEach(function (select) {
      wanted[select.dataset.filter] = select.value;
    });
    var shown = 0;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var ok = Object.keys(wanted).every(function (key) {
        if (!wanted[key]) return true;
        return (row.dataset[key] || "").split("\n").indexOf(wanted[key]) !== -1;
      });
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    var count = form.querySelector("[data-filter-count]");
    if (count) count.textContent = shown + " shown";
  }
  function setUp() {
    var form = document.querySelector("form.coe-filters");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    form.addEventListener("change", function () { apply(form); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply(form);
  }
  // Material's instant navigation swaps pages without a reload: hook both.
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(setUp);
  } else {
    document.addEventListener("DOMContentLoaded", setUp);
  }
})();
