/* The graph explorer: papers and methods drawn with sigma.js (WebGL) from the chunks in
   assets/kb/data/graph/. Only the most influential papers are loaded at first (level of
   detail); more chunks load when more papers are asked for, so a graph of 100,000 papers
   opens as fast as one of 500. Labels are drawn by sigma on a canvas, never as HTML. */
(function () {
  "use strict";
  var app = document.getElementById("kb-graph-app");
  if (!app) return;
  var status = document.getElementById("kb-graph-status");
  var container = document.getElementById("kb-graph");
  var form = document.getElementById("kb-graph-controls");
  var sizeSelect = document.getElementById("kb-graph-size");
  var site = app.getAttribute("data-site");
  var metaUrl = app.getAttribute("data-meta");
  var chunkBase = metaUrl.replace(/meta\.json$/, "");

  // Colours match the kb-c<n> classes of kb.css (perspectives) and kb-cm (methods).
  var GROUP_COLOURS = ["#3f51b5", "#e65100", "#2e7d32", "#6d4c41", "#00838f"];
  var METHOD_COLOUR = "#8e24aa";
  var EDGE_COLOURS = { cites: "#9e9e9e", extends: "#8e24aa", proposes: "#ef6c00", uses: "#cfd8dc" };

  if (typeof window.graphology === "undefined" || typeof window.Sigma === "undefined") {
    status.textContent = "The graph library is not part of this build.";
    return;
  }

  var graph = new window.graphology.MultiDirectedGraph();
  var meta = null;
  var loadedChunks = 0;
  var renderer = null;
  var hovered = null;
  var hoveredNeighbours = null;
  var filters = { edges: new Set(), groups: new Set(), size: 0 };

  function readFilters() {
    filters.edges = new Set();
    filters.groups = new Set();
    Array.prototype.forEach.call(form.querySelectorAll("input[name=edge]"), function (box) {
      if (box.checked) filters.edges.add(box.value);
    });
    Array.prototype.forEach.call(form.querySelectorAll("input[name=category]"), function (box) {
      if (box.checked) filters.groups.add(box.value);
    });
    filters.size = parseInt(sizeSelect.value, 10) || 0;
  }

  function nodeVisible(node, data) {
    if (data.kind === "method") return filters.groups.has("method");
    if (data.rank >= filters.size) return false;
    return filters.groups.has(data.leaf);
  }

  function nodeReducer(node, data) {
    var shown = Object.assign({}, data);
    if (!nodeVisible(node, data)) {
      shown.hidden = true;
      return shown;
    }
    if (hovered && node !== hovered && !hoveredNeighbours.has(node)) {
      shown.color = "#e0e0e0";
      shown.label = "";
    }
    if (node === hovered) shown.highlighted = true;
    return shown;
  }

  function edgeReducer(edge, data) {
    var shown = Object.assign({}, data);
    var ends = graph.extremities(edge);
    if (
      !filters.edges.has(data.kind) ||
      !nodeVisible(ends[0], graph.getNodeAttributes(ends[0])) ||
      !nodeVisible(ends[1], graph.getNodeAttributes(ends[1]))
    ) {
      shown.hidden = true;
    } else if (hovered && ends[0] !== hovered && ends[1] !== hovered) {
      shown.hidden = true;
    }
    return shown;
  }

  function addChunk(chunk) {
    chunk.nodes.forEach(function (row) {
      var key = row[0];
      if (graph.hasNode(key)) return;
      var group = row[3];
      var perspective = group >= 0 && meta.perspectives[group] ? meta.perspectives[group][0] : "method";
      graph.addNode(key, {
        label: row[1],
        kind: row[2],
        perspective: perspective,
        leaf: row[9],
        x: row[4],
        y: row[5],
        size: row[6],
        url: row[7],
        rank: row[8],
        color: row[2] === "method" ? METHOD_COLOUR : GROUP_COLOURS[group % GROUP_COLOURS.length],
        type: "circle",
      });
    });
    chunk.edges.forEach(function (row) {
      if (!graph.hasNode(row[0]) || !graph.hasNode(row[1])) return;
      graph.addDirectedEdgeWithKey(row[2] + ":" + row[0] + ">" + row[1], row[0], row[1], {
        kind: row[2],
        color: EDGE_COLOURS[row[2]] || "#bdbdbd",
        size: row[2] === "cites" ? 1 : 1.5,
        type: "arrow",
      });
    });
  }

  // Papers of chunk k have ranks k*chunk_size.. ; load chunks until `size` papers are present.
  function ensureLoaded(size) {
    var needed = Math.min(meta.chunks.length, Math.max(1, Math.ceil(size / meta.chunk_size)));
    var next = Promise.resolve();
    for (var number = loadedChunks; number < needed; number++) {
      (function (n) {
        next = next.then(function () {
          return fetch(chunkBase + meta.chunks[n])
            .then(function (response) {
              if (!response.ok) throw new Error("HTTP " + response.status);
              return response.json();
            })
            .then(function (chunk) {
              addChunk(chunk);
              loadedChunks = n + 1;
            });
        });
      })(number);
    }
    return next;
  }

  function describe() {
    var nodes = 0;
    var edges = 0;
    graph.forEachNode(function (node, data) {
      if (nodeVisible(node, data)) nodes += 1;
    });
    graph.forEachEdge(function (edge, data, source, target) {
      if (
        filters.edges.has(data.kind) &&
        nodeVisible(source, graph.getNodeAttributes(source)) &&
        nodeVisible(target, graph.getNodeAttributes(target))
      )
        edges += 1;
    });
    status.textContent =
      nodes + " nodes and " + edges + " links shown (" + meta.papers + " papers and " +
      meta.methods + " methods in all).";
    status.setAttribute("data-nodes", String(nodes));
    status.setAttribute("data-edges", String(edges));
  }

  function refresh() {
    readFilters();
    ensureLoaded(filters.size).then(
      function () {
        if (!renderer) start();
        else renderer.refresh();
        describe();
      },
      function (error) {
        status.textContent = "Could not load the graph: " + error.message;
      }
    );
  }

  function setHover(node) {
    hovered = node;
    hoveredNeighbours = node ? new Set(graph.neighbors(node)) : null;
    container.style.cursor = node ? "pointer" : "";
    renderer.refresh({ skipIndexation: true });
  }

  function start() {
    renderer = new window.Sigma(graph, container, {
      nodeReducer: nodeReducer,
      edgeReducer: edgeReducer,
      defaultEdgeType: "arrow",
      labelRenderedSizeThreshold: 7,
      labelDensity: 0.5,
      labelFont: "system-ui, sans-serif",
      zIndex: true,
      minCameraRatio: 0.02,
      maxCameraRatio: 5,
    });
    renderer.on("clickNode", function (event) {
      var url = graph.getNodeAttribute(event.node, "url");
      if (url) window.location.href = site + url;
    });
    renderer.on("enterNode", function (event) {
      setHover(event.node);
    });
    renderer.on("leaveNode", function () {
      setHover(null);
    });
    window.kbGraph = { graph: graph, renderer: renderer };
    app.setAttribute("data-ready", "true");
  }

  form.addEventListener("change", refresh);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });

  fetch(metaUrl)
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (data) {
      meta = data;
      refresh();
    })
    .catch(function (error) {
      status.textContent = "Could not load the graph: " + error.message;
    });
})();
