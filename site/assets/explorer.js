/* The paper explorer: facets, free-text filter, counts, a result table and downloads of the
   selection as BibTeX or CSL-JSON, built in the browser from assets/kb/data/. Text from the
   records is only ever inserted with textContent. */
(function () {
  "use strict";
  var root = document.getElementById("kb-explorer");
  if (!root) return;

  // Row layout of explorer.json (see kb/site/data.py).
  var ID = 0, TITLE = 1, AUTHORS = 2, YEAR = 3, VENUE = 4, CODE = 9, CITED = 10;
  var FACETS = [
    { key: "leaf", label: "Category", column: 5 },
    { key: "method", label: "Method", column: 6 },
    { key: "modality", label: "Modality", column: 7 },
    { key: "model", label: "Model", column: 8 },
    { key: "venue", label: "Venue", column: VENUE },
  ];
  var PAGE = 100;

  var index = null;
  var haystack = [];
  var positionOf = {};
  var state = { query: "", chosen: {}, yearMin: null, yearMax: null, code: false, limit: PAGE };
  var selected = new Set();
  var matching = [];
  var countBoxes = {};

  var site = root.getAttribute("data-site");
  var countLine = document.getElementById("kb-explorer-count");
  var facetsBox = document.getElementById("kb-explorer-facets");
  var tableBody = document.querySelector("#kb-explorer-table tbody");
  var more = document.getElementById("kb-explorer-more");
  var selectedCount = document.getElementById("kb-selected-count");
  var downloadBib = document.getElementById("kb-download-bib");
  var downloadCsl = document.getElementById("kb-download-csl");
  var queryInput = document.getElementById("kb-explorer-q");

  FACETS.forEach(function (facet) {
    state.chosen[facet.key] = new Set();
  });

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function values(row, facet) {
    var value = row[facet.column];
    return Array.isArray(value) ? value : [value];
  }

  function passes(row, i, skip) {
    if (state.query) {
      var words = state.query.split(/\s+/);
      for (var w = 0; w < words.length; w++) {
        if (words[w] && haystack[i].indexOf(words[w]) < 0) return false;
      }
    }
    if (state.code && !row[CODE]) return false;
    if (state.yearMin !== null && row[YEAR] < state.yearMin) return false;
    if (state.yearMax !== null && row[YEAR] > state.yearMax) return false;
    for (var f = 0; f < FACETS.length; f++) {
      var facet = FACETS[f];
      if (facet.key === skip) continue;
      var chosen = state.chosen[facet.key];
      if (!chosen.size) continue;
      var found = false;
      var own = values(row, facet);
      for (var v = 0; v < own.length; v++) {
        if (chosen.has(own[v])) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  function buildFacets() {
    var years = index.papers.map(function (row) {
      return row[YEAR];
    });
    var low = Math.min.apply(null, years.length ? years : [0]);
    var high = Math.max.apply(null, years.length ? years : [0]);

    var yearSet = element("fieldset", "kb-facet");
    yearSet.appendChild(element("legend", "", "Year"));
    [["from", low, "yearMin"], ["to", high, "yearMax"]].forEach(function (spec) {
      var label = element("label", "kb-year");
      label.appendChild(element("span", "", spec[0] + " "));
      var input = element("input");
      input.type = "number";
      input.min = String(low);
      input.max = String(high);
      input.placeholder = String(spec[1]);
      input.id = "kb-year-" + spec[0];
      input.addEventListener("input", function () {
        var value = parseInt(input.value, 10);
        state[spec[2]] = isNaN(value) ? null : value;
        state.limit = PAGE;
        update();
      });
      label.appendChild(input);
      yearSet.appendChild(label);
    });
    facetsBox.appendChild(yearSet);

    var codeSet = element("fieldset", "kb-facet");
    codeSet.appendChild(element("legend", "", "Code"));
    var codeLabel = element("label");
    var codeBox = element("input");
    codeBox.type = "checkbox";
    codeBox.id = "kb-has-code";
    codeBox.addEventListener("change", function () {
      state.code = codeBox.checked;
      state.limit = PAGE;
      update();
    });
    codeLabel.appendChild(codeBox);
    codeLabel.appendChild(document.createTextNode(" has code"));
    codeSet.appendChild(codeLabel);
    facetsBox.appendChild(codeSet);

    FACETS.forEach(function (facet) {
      var set = element("fieldset", "kb-facet");
      set.setAttribute("data-facet", facet.key);
      set.appendChild(element("legend", "", facet.label));
      var list = element("div", "kb-facet-values");
      countBoxes[facet.key] = [];
      index.vocab[facet.key].forEach(function (entry, position) {
        var label = element("label", "kb-facet-value");
        var box = element("input");
        box.type = "checkbox";
        box.value = entry[0];
        box.setAttribute("data-value", String(position));
        box.addEventListener("change", function () {
          if (box.checked) state.chosen[facet.key].add(position);
          else state.chosen[facet.key].delete(position);
          state.limit = PAGE;
          update();
        });
        label.appendChild(box);
        label.appendChild(element("span", "kb-facet-name", " " + entry[1] + " "));
        var count = element("span", "kb-facet-count", "");
        label.appendChild(count);
        countBoxes[facet.key].push({ label: label, count: count, box: box });
        list.appendChild(label);
      });
      set.appendChild(list);
      facetsBox.appendChild(set);
    });
  }

  function updateCounts() {
    FACETS.forEach(function (facet) {
      var counts = new Array(index.vocab[facet.key].length).fill(0);
      index.papers.forEach(function (row, i) {
        if (!passes(row, i, facet.key)) return;
        values(row, facet).forEach(function (value) {
          if (value >= 0) counts[value] += 1;
        });
      });
      countBoxes[facet.key].forEach(function (item, position) {
        item.count.textContent = "(" + counts[position] + ")";
        item.label.classList.toggle("kb-zero", counts[position] === 0 && !item.box.checked);
      });
    });
  }

  function paperUrl(row) {
    return site + "papers/" + encodeURIComponent(row[ID]) + "/";
  }

  function renderRows() {
    while (tableBody.firstChild) tableBody.removeChild(tableBody.firstChild);
    var leaves = index.vocab.leaf;
    var venues = index.vocab.venue;
    matching.slice(0, state.limit).forEach(function (i) {
      var row = index.papers[i];
      var tr = element("tr");
      var pick = element("td");
      var box = element("input");
      box.type = "checkbox";
      box.checked = selected.has(row[ID]);
      box.setAttribute("aria-label", "Select " + row[TITLE]);
      box.addEventListener("change", function () {
        if (box.checked) selected.add(row[ID]);
        else selected.delete(row[ID]);
        updateSelection();
      });
      pick.appendChild(box);
      tr.appendChild(pick);
      var title = element("td");
      var link = element("a", "", row[TITLE]);
      link.href = paperUrl(row);
      title.appendChild(link);
      tr.appendChild(title);
      var authors = row[AUTHORS];
      tr.appendChild(element("td", "", authors[0] + (authors.length > 1 ? " et al." : "")));
      tr.appendChild(element("td", "", String(row[YEAR])));
      tr.appendChild(element("td", "", row[VENUE] >= 0 ? venues[row[VENUE]][1] : ""));
      tr.appendChild(
        element(
          "td",
          "",
          row[5]
            .map(function (leaf) {
              return leaves[leaf][1];
            })
            .join("; ")
        )
      );
      tr.appendChild(element("td", "", String(row[CITED])));
      tr.appendChild(element("td", "", row[CODE] ? "yes" : "no"));
      tableBody.appendChild(tr);
    });
    more.hidden = matching.length <= state.limit;
  }

  function updateSelection() {
    selectedCount.textContent = selected.size + " selected";
    downloadBib.disabled = downloadCsl.disabled = selected.size === 0;
  }

  function update() {
    matching = [];
    index.papers.forEach(function (row, i) {
      if (passes(row, i, null)) matching.push(i);
    });
    countLine.textContent =
      matching.length + " of " + index.papers.length + " papers" +
      (matching.length > state.limit ? " (first " + state.limit + " shown)" : "");
    countLine.setAttribute("data-count", String(matching.length));
    updateCounts();
    renderRows();
    updateSelection();
  }

  function applyHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    var node = params.get("node");
    if (node && index.groups[node]) {
      index.groups[node].forEach(function (leaf) {
        state.chosen.leaf.add(leaf);
        countBoxes.leaf[leaf].box.checked = true;
      });
    }
    var query = params.get("q");
    if (query) {
      queryInput.value = query;
      state.query = query.toLowerCase().trim();
    }
  }

  function save(name, type, text) {
    var blob = new Blob([text], { type: type });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    link.className = "kb-offscreen";
    document.body.appendChild(link);
    link.click();
    setTimeout(function () {
      URL.revokeObjectURL(link.href);
      document.body.removeChild(link);
    }, 1000);
  }

  function fetchSelection() {
    var ids = Array.from(selected).sort();
    var shards = {};
    ids.forEach(function (id) {
      shards[Math.floor(positionOf[id] / index.shard_size)] = true;
    });
    var base = root.getAttribute("data-shards");
    return Promise.all(
      Object.keys(shards).map(function (shard) {
        return fetch(base + shard + ".json").then(function (response) {
          if (!response.ok) throw new Error("shard " + shard + ": HTTP " + response.status);
          return response.json();
        });
      })
    ).then(function (parts) {
      var records = {};
      parts.forEach(function (part) {
        Object.keys(part).forEach(function (id) {
          records[id] = part[id];
        });
      });
      return ids.map(function (id) {
        return records[id];
      });
    });
  }

  function download(kind) {
    fetchSelection().then(
      function (records) {
        if (kind === "bib") {
          var text = records
            .map(function (r) {
              return r.bibtex;
            })
            .join("\n");
          save("selection.bib", "application/x-bibtex", text);
        } else {
          var items = records.map(function (r) {
            return r.csl;
          });
          save("selection.json", "application/vnd.citationstyles.csl+json", JSON.stringify(items, null, 2) + "\n");
        }
      },
      function (error) {
        selectedCount.textContent = "Download failed: " + error.message;
      }
    );
  }

  queryInput.addEventListener("input", function () {
    state.query = queryInput.value.toLowerCase().trim();
    state.limit = PAGE;
    update();
  });
  more.addEventListener("click", function () {
    state.limit += PAGE * 5;
    renderRows();
    countLine.textContent =
      matching.length + " of " + index.papers.length + " papers" +
      (matching.length > state.limit ? " (first " + state.limit + " shown)" : "");
  });
  document.getElementById("kb-select-all").addEventListener("click", function () {
    matching.forEach(function (i) {
      selected.add(index.papers[i][ID]);
    });
    renderRows();
    updateSelection();
  });
  document.getElementById("kb-select-none").addEventListener("click", function () {
    selected.clear();
    renderRows();
    updateSelection();
  });
  downloadBib.addEventListener("click", function () {
    download("bib");
  });
  downloadCsl.addEventListener("click", function () {
    download("csl");
  });

  fetch(root.getAttribute("data-index"))
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (data) {
      index = data;
      haystack = index.papers.map(function (row) {
        return (row[ID] + " " + row[TITLE] + " " + row[AUTHORS].join(" ") + " " + row[YEAR]).toLowerCase();
      });
      index.papers.forEach(function (row, i) {
        positionOf[row[ID]] = i;
      });
      buildFacets();
      applyHash();
      update();
      root.setAttribute("data-ready", "true");
    })
    .catch(function (error) {
      countLine.textContent = "Could not load the paper index: " + error.message;
    });
})();
