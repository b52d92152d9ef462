/* Site-wide behaviour: sortable tables, comparison matrices (rows that expand, a filter by
   trade-off answer) and copy buttons. Progressive enhancement only: every
   page is complete without JavaScript. Untrusted text is only ever handled as text. */
(function () {
  "use strict";

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    var sortKey = cell ? cell.getAttribute("data-sort") : null;
    var text = sortKey !== null ? sortKey : cell ? cell.textContent.trim() : "";
    if (!numeric) return text.toLowerCase();
    var number = parseFloat(text);
    return isNaN(number) ? -Infinity : number;
  }

  // A matrix row's detail row (tldr, strengths, limitations) travels with it when sorting.
  function detailOf(row) {
    var next = row.nextElementSibling;
    return next && next.classList.contains("kb-detail") ? next : null;
  }

  function sortTable(table, index, numeric, header) {
    var body = table.tBodies[0];
    if (!body) return;
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.filter.call(body.rows, function (row) {
      return !row.classList.contains("kb-detail");
    });
    var keyed = rows.map(function (row, position) {
      return { row: row, key: cellValue(row, index, numeric), position: position };
    });
    keyed.sort(function (a, b) {
      var order = 0;
      if (numeric) order = a.key - b.key;
      else order = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
      if (!ascending) order = -order;
      return order || a.position - b.position;
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (item) {
      var detail = detailOf(item.row);
      fragment.appendChild(item.row);
      if (detail) fragment.appendChild(detail);
    });
    body.appendChild(fragment);
  }

  function makeSortable(table) {
    if (!table.tHead || !table.tHead.rows.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      if (!th.textContent.trim()) return;
      var numeric = th.getAttribute("data-sort-type") === "number";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "kb-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      var hint = document.createElement("span");
      hint.className = "kb-visually-hidden";
      hint.textContent = " (sort)";
      button.appendChild(hint);
      th.appendChild(button);
      button.addEventListener("click", function () {
        sortTable(table, index, numeric, th);
      });
    });
  }

  function setUpExpanders(table) {
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var detail = detailOf(row);
      if (!detail) return;
      detail.hidden = true;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "kb-expand";
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-controls", detail.id);
      var label = document.createElement("span");
      label.className = "kb-visually-hidden";
      label.textContent = "Show summary, strengths and limitations";
      button.appendChild(label);
      row.cells[0].insertBefore(button, row.cells[0].firstChild);
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", open ? "true" : "false");
        detail.hidden = !open || row.hidden;
      });
    });
  }

  function answerOf(row, property) {
    var pairs = (row.getAttribute("data-answers") || "").split(" ");
    for (var i = 0; i < pairs.length; i += 1) {
      var parts = pairs[i].split("=");
      if (parts[0] === property) return parts[1];
    }
    return "none";
  }

  var ANSWER_WORDS = { yes: "yes", partial: "partial", no: "no", none: "not stated" };

  function setUpFilter(bar) {
    var table = document.getElementById(bar.getAttribute("data-table"));
    if (!table || !table.tBodies.length) return;
    var property = bar.querySelector(".kb-filter-property");
    var answer = bar.querySelector(".kb-filter-answer");
    var count = bar.querySelector(".kb-filter-count");
    var rows = Array.prototype.filter.call(table.tBodies[0].rows, function (row) {
      return row.classList.contains("kb-main");
    });
    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var match = !property.value || !answer.value || answerOf(row, property.value) === answer.value;
        row.hidden = !match;
        var detail = detailOf(row);
        var button = row.querySelector(".kb-expand");
        if (detail) detail.hidden = !match || !button || button.getAttribute("aria-expanded") !== "true";
        if (match) shown += 1;
      });
      count.textContent = shown + " of " + rows.length + " papers shown";
    }
    property.addEventListener("change", function () {
      while (answer.options.length > 1) answer.remove(1);
      var option = property.options[property.selectedIndex];
      var values = (option.getAttribute("data-values") || "").split(" ").filter(Boolean);
      values.forEach(function (value) {
        var choice = document.createElement("option");
        choice.value = value;
        choice.textContent = ANSWER_WORDS[value] || value;
        answer.appendChild(choice);
      });
      answer.disabled = !property.value;
      apply();
    });
    answer.addEventListener("change", apply);
    bar.hidden = false;
    apply();
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "kb-offscreen";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (error) {
        ok = false;
      }
      document.body.removeChild(area);
      if (ok) resolve();
      else reject(new Error("copy refused"));
    });
  }

  function setUpCopy(button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      var status = button.parentNode.querySelector(".kb-copy-status");
      if (!target) return;
      copyText(target.textContent).then(
        function () {
          if (status) status.textContent = "Copied.";
        },
        function () {
          if (status) status.textContent = "Could not copy: select the text and copy it.";
        }
      );
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table.kb-sortable"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("table.kb-matrix"), setUpExpanders);
    Array.prototype.forEach.call(document.querySelectorAll(".kb-matrix-filter"), setUpFilter);
    Array.prototype.forEach.call(document.querySelectorAll("button.kb-copy"), setUpCopy);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
