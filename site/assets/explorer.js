/* The paper explorer: facets, a word filter, counts, a result table and downloads of the
   selection as BibTeX or CSL-JSON, built in the browser from assets/kb/data/.

   The data is sharded so that a knowledge base of 100,000 papers shows its first filtered
   result after a download of well under 2 MB (kb/site/data.py): a compressed index of facet
   values, then only the row shards on screen and the word shards of the words typed. Papers
   are numbered by their position in id order. Text from the records is only ever inserted
   with textContent. */
(function () {
  "use strict";
  var root = document.getElementById("kb-explorer");
  if (!root) return;

  var FACETS = [
    { key: "leaf", label: "Category" },
    { key: "method", label: "Method" },
    { key: "modality", label: "Modality" },
    { key: "model", label: "Model" },
    { key: "venue", label: "Venue", single: true },
  ];
  var PAGE = 100;
  // Row shards: [id, title, first author, number of authors].
  var ID = 0, TITLE = 1, FIRST_AUTHOR = 2, AUTHORS = 3;

  var base = root.getAttribute("data-index");
  var site = root.getAttribute("data-site");
  var index = null;
  var loading = { rows: {}, words: {} };
  var loadedRows = {};
  var state = { words: [], chosen: {}, yearMin: null, yearMax: null, code: false, limit: PAGE };
  var textMatch = null;
  var selected = new Set();
  var matching = [];
  var countBoxes = {};
  var generation = 0;

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

  function fetchJson(url) {
    return fetch(url)
      .then(function (response) {
        if (!response.ok) throw new Error(url.split("/").slice(-2).join("/") + ": HTTP " + response.status);
        return response.arrayBuffer();
      })
      .then(function (buffer) {
        var bytes = new Uint8Array(buffer);
        // A server that sent the file with Content-Encoding: gzip has decompressed it already.
        if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
          return JSON.parse(new TextDecoder().decode(bytes));
        }
        var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
        return new Response(stream).text().then(JSON.parse);
      });
  }

  function once(store, key, url) {
    if (!(key in store)) store[key] = fetchJson(url);
    return store[key];
  }

  function rowShard(number) {
    return once(loading.rows, number, base + "rows/" + number + ".json.gz").then(function (rows) {
      loadedRows[number] = rows;
      return rows;
    });
  }

  function row(i) {
    return loadedRows[Math.floor(i / index.row_shard)][i % index.row_shard];
  }

  // --- the word filter ---------------------------------------------------------------------

  function queryWords(text) {
    // The same split as kb.site.data.word_tokens; one-character words pick no shard.
    return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []).filter(function (word) {
      return word.length >= 2;
    });
  }

  function wordShard(word) {
    return (word.charCodeAt(0) * 31 + word.charCodeAt(1)) % index.word_shards;
  }

  function papersWith(word) {
    var shard = wordShard(word);
    return once(loading.words, shard, base + "words/" + shard + ".json.gz").then(function (table) {
      var found = new Set();
      Object.keys(table).forEach(function (token) {
        if (token.lastIndexOf(word, 0) !== 0) return;
        var place = 0;
        table[token].forEach(function (delta, n) {
          place = n === 0 ? delta : place + delta;
          found.add(place);
        });
      });
      return found;
    });
  }

  function textFilter(words) {
    if (!words.length) return Promise.resolve(null);
    return Promise.all(words.map(papersWith)).then(function (sets) {
      sets.sort(function (a, b) {
        return a.size - b.size;
      });
      var found = new Set();
      sets[0].forEach(function (place) {
        if (sets.every(function (set) { return set.has(place); })) found.add(place);
      });
      return found;
    });
  }

  // --- filtering and counts ----------------------------------------------------------------

  function values(i, facet) {
    var value = index[facet.key][i];
    return facet.single ? [value] : value;
  }

  function passes(i, skip) {
    if (textMatch && !textMatch.has(i)) return false;
    if (state.code && !index.code[i]) return false;
    if (state.yearMin !== null && index.year[i] < state.yearMin) return false;
    if (state.yearMax !== null && index.year[i] > state.yearMax) return false;
    for (var f = 0; f < FACETS.length; f++) {
      var facet = FACETS[f];
      if (facet.key === skip) continue;
      var chosen = state.chosen[facet.key];
      if (!chosen.size) continue;
      var own = values(i, facet);
      var found = false;
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
    var low = Infinity, high = -Infinity;
    index.year.forEach(function (year) {
      if (year < low) low = year;
      if (year > high) high = year;
    });
    if (!index.count) low = high = 0;

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
      for (var i = 0; i < index.count; i++) {
        if (!passes(i, facet.key)) continue;
        values(i, facet).forEach(function (value) {
          if (value >= 0) counts[value] += 1;
        });
      }
      countBoxes[facet.key].forEach(function (item, position) {
        item.count.textContent = "(" + counts[position] + ")";
        item.label.classList.toggle("kb-zero", counts[position] === 0 && !item.box.checked);
      });
    });
  }

  // --- the result table --------------------------------------------------------------------

  function paperUrl(id) {
    return site + "papers/" + encodeURIComponent(id) + "/";
  }

  function tableRow(i) {
    var data = row(i);
    var tr = element("tr");
    var pick = element("td");
    var box = element("input");
    box.type = "checkbox";
    box.checked = selected.has(i);
    box.setAttribute("aria-label", "Select " + data[TITLE]);
    box.addEventListener("change", function () {
      if (box.checked) selected.add(i);
      else selected.delete(i);
      updateSelection();
    });
    pick.appendChild(box);
    tr.appendChild(pick);
    var title = element("td");
    var link = element("a", "", data[TITLE]);
    link.href = paperUrl(data[ID]);
    title.appendChild(link);
    tr.appendChild(title);
    tr.appendChild(element("td", "", data[FIRST_AUTHOR] + (data[AUTHORS] > 1 ? " et al." : "")));
    tr.appendChild(element("td", "", String(index.year[i])));
    var venue = index.venue[i];
    tr.appendChild(element("td", "", venue >= 0 ? index.vocab.venue[venue][1] : ""));
    var leaves = index.leaf[i].map(function (leaf) {
      return index.vocab.leaf[leaf][1];
    });
    tr.appendChild(element("td", "", leaves.join("; ")));
    tr.appendChild(element("td", "", String(index.cited[i])));
    tr.appendChild(element("td", "", index.code[i] ? "yes" : "no"));
    return tr;
  }

  function renderRows(mine) {
    var shown = matching.slice(0, state.limit);
    var shards = {};
    shown.forEach(function (i) {
      shards[Math.floor(i / index.row_shard)] = true;
    });
    return Promise.all(Object.keys(shards).map(rowShard)).then(function () {
      if (mine !== generation) return;
      while (tableBody.firstChild) tableBody.removeChild(tableBody.firstChild);
      shown.forEach(function (i) {
        tableBody.appendChild(tableRow(i));
      });
      more.hidden = matching.length <= state.limit;
      countLine.textContent =
        matching.length + " of " + index.count + " papers" +
        (matching.length > state.limit ? " (first " + state.limit + " shown)" : "");
      countLine.setAttribute("data-count", String(matching.length));
      root.setAttribute("data-busy", "false");
    });
  }

  function updateSelection() {
    selectedCount.textContent = selected.size + " selected";
    downloadBib.disabled = downloadCsl.disabled = selected.size === 0;
  }

  function failed(error) {
    countLine.textContent = "Could not load the paper index: " + error.message;
    root.setAttribute("data-busy", "false");
  }

  function update() {
    var mine = ++generation;
    root.setAttribute("data-busy", "true");
    return textFilter(state.words)
      .then(function (found) {
        if (mine !== generation) return;
        textMatch = found;
        matching = [];
        for (var i = 0; i < index.count; i++) {
          if (passes(i, null)) matching.push(i);
        }
        updateCounts();
        updateSelection();
        return renderRows(mine);
      })
      .catch(failed);
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
      state.words = queryWords(query);
    }
  }

  // --- downloads of the selection ----------------------------------------------------------

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
    var places = Array.from(selected).sort(function (a, b) {
      return a - b;
    });
    var size = index.shard_size;
    var shards = {};
    places.forEach(function (place) {
      shards[Math.floor(place / size)] = true;
    });
    var shardBase = root.getAttribute("data-shards");
    var parts = {};
    return Promise.all(
      Object.keys(shards).map(function (shard) {
        return fetch(shardBase + shard + ".json")
          .then(function (response) {
            if (!response.ok) throw new Error("shard " + shard + ": HTTP " + response.status);
            return response.json();
          })
          .then(function (part) {
            // A shard holds its papers keyed by id; ids sort as the positions do.
            parts[shard] = Object.keys(part)
              .sort()
              .map(function (id) {
                return part[id];
              });
          });
      })
    ).then(function () {
      return places.map(function (place) {
        return parts[Math.floor(place / size)][place % size];
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
    state.words = queryWords(queryInput.value);
    state.limit = PAGE;
    update();
  });
  more.addEventListener("click", function () {
    state.limit += PAGE * 5;
    root.setAttribute("data-busy", "true");
    renderRows(generation).catch(failed);
  });
  document.getElementById("kb-select-all").addEventListener("click", function () {
    matching.forEach(function (i) {
      selected.add(i);
    });
    Array.prototype.forEach.call(tableBody.querySelectorAll("input"), function (box) {
      box.checked = true;
    });
    updateSelection();
  });
  document.getElementById("kb-select-none").addEventListener("click", function () {
    selected.clear();
    Array.prototype.forEach.call(tableBody.querySelectorAll("input"), function (box) {
      box.checked = false;
    });
    updateSelection();
  });
  downloadBib.addEventListener("click", function () {
    download("bib");
  });
  downloadCsl.addEventListener("click", function () {
    download("csl");
  });

  root.setAttribute("data-busy", "true");
  fetchJson(base + "index.json.gz")
    .then(function (data) {
      index = data;
      buildFacets();
      applyHash();
      return update();
    })
    .then(function () {
      root.setAttribute("data-ready", "true");
    })
    .catch(failed);
})();
