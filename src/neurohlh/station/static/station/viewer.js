/* The reading station's image viewer: series list, slice scrolling, window/level, zoom.
 * The server renders every slice to PNG (/images/<series>/<slice>.png?center=C&width=W); this script only asks
 * for them. No DICOM data reaches the browser. Keys on the image: arrows and PageUp/PageDown scroll slices,
 * Home/End go to the first/last slice, + and - zoom, 0 fits the image to the frame.
 */
(function () {
  "use strict";
  var root = document.getElementById("viewer");
  if (!root) { return; }
  var base = root.getAttribute("data-images");
  var $ = function (id) { return document.getElementById(id); };
  var frame = $("viewer-frame"), image = $("viewer-image"), label = $("viewer-label"), list = $("viewer-series");
  var sliceInput = $("viewer-slice"), centerInput = $("viewer-center"), widthInput = $("viewer-width");
  var presetSelect = $("viewer-preset"), zoomOutput = $("viewer-zoom");
  var ZOOMS = [1, 1.25, 1.5, 2, 3, 4, 6];
  var state = {series: [], current: null, slice: 0, center: 0, width: 1, zoom: 0, loading: false, wanted: ""};

  function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }
  function round(v) { return Math.round(v * 10) / 10; }

  function url() {
    var s = state.current;
    return base + s.code + "/" + state.slice + ".png?center=" + encodeURIComponent(round(state.center)) +
      "&width=" + encodeURIComponent(round(state.width));
  }

  function describe() {
    var s = state.current;
    var text = s.label + " \u2014 slice " + (state.slice + 1) + " of " + s.slices;
    label.textContent = text;
    image.alt = text + " (level " + round(state.center) + ", width " + round(state.width) + ")";
    frame.setAttribute("aria-label", "Image: " + text + ". Arrow keys change the slice.");
  }

  /* One request at a time: while a slice loads, only the newest wanted one is remembered. */
  function show() {
    if (!state.current) { return; }
    describe();
    sliceInput.value = String(state.slice + 1);
    centerInput.value = String(round(state.center));
    widthInput.value = String(round(state.width));
    state.wanted = url();
    if (!state.loading) { load(); }
  }

  function load() {
    state.loading = true;
    var target = state.wanted;
    image.setAttribute("data-loading", "1");
    image.src = target;
  }

  image.addEventListener("load", function () {
    state.loading = false;
    image.removeAttribute("data-loading");
    root.classList.remove("viewer-error");
    if (state.wanted && image.src.slice(-state.wanted.length) !== state.wanted) { load(); return; }
    image.setAttribute("data-shown", state.wanted);
    prefetch();
  });
  image.addEventListener("error", function () {
    state.loading = false;
    image.removeAttribute("data-loading");
    root.classList.add("viewer-error");
    label.textContent = "This slice could not be shown.";
  });

  function prefetch() {  /* the neighbouring slices, so that scrolling feels immediate */
    var keep = state.slice;
    [keep + 1, keep - 1].forEach(function (i) {
      if (i >= 0 && i < state.current.slices) {
        var p = new Image();
        p.src = base + state.current.code + "/" + i + ".png?center=" + encodeURIComponent(round(state.center)) +
          "&width=" + encodeURIComponent(round(state.width));
      }
    });
  }

  function applyZoom() {
    var s = state.current;
    if (!s) { return; }
    var fit = frame.clientWidth / s.columns;
    var factor = state.zoom === 0 ? 1 : ZOOMS[state.zoom];
    var width = Math.max(16, Math.floor(s.columns * fit * factor));
    image.style.width = width + "px";
    image.style.height = Math.floor(width * s.rows * s.aspect / s.columns) + "px";
    zoomOutput.textContent = Math.round(factor * 100) + "%";
  }

  function zoomBy(step) {
    state.zoom = clamp(state.zoom + step, 0, ZOOMS.length - 1);
    applyZoom();
  }

  function setWindow(center, width) {
    state.center = center;
    state.width = clamp(width, 1, 2e7);
    show();
  }

  function usePreset(name) {
    var w = name === "default" ? state.current.window : state.current.presets[name];
    if (w) { setWindow(w.center, w.width); presetSelect.value = name; }
  }

  function customWindow(center, width) {  /* typed or dragged: the list says so */
    setWindow(center, width);
    presetSelect.value = "custom";
  }

  function choose(index) {
    state.current = state.series[index];
    var s = state.current;
    state.slice = Math.floor((s.slices - 1) / 2);
    Array.prototype.forEach.call(list.querySelectorAll("button"), function (b, i) {
      b.setAttribute("aria-pressed", i === index ? "true" : "false");
    });
    sliceInput.max = String(s.slices);
    presetSelect.innerHTML = "";
    var names = ["default"].concat(Object.keys(s.presets));
    names.concat(["custom"]).forEach(function (name) {
      var o = document.createElement("option");
      o.value = name;
      o.textContent = name === "default" ? "series default" : name;
      o.disabled = name === "custom";
      presetSelect.appendChild(o);
    });
    applyZoom();
    usePreset("default");
  }

  function go(slice) {
    if (!state.current) { return; }
    var next = clamp(slice, 0, state.current.slices - 1);
    if (next !== state.slice) { state.slice = next; show(); }
  }

  frame.addEventListener("keydown", function (e) {
    if (!state.current) { return; }
    var page = Math.max(1, Math.round(state.current.slices / 10));
    var keys = {ArrowUp: -1, ArrowLeft: -1, ArrowDown: 1, ArrowRight: 1, PageUp: -page, PageDown: page};
    if (e.key in keys) { go(state.slice + keys[e.key]); }
    else if (e.key === "Home") { go(0); }
    else if (e.key === "End") { go(state.current.slices - 1); }
    else if (e.key === "+" || e.key === "=") { zoomBy(1); }
    else if (e.key === "-") { zoomBy(-1); }
    else if (e.key === "0") { state.zoom = 0; applyZoom(); }
    else { return; }
    e.preventDefault();
  });

  frame.addEventListener("wheel", function (e) {
    if (!state.current || e.deltaY === 0) { return; }
    e.preventDefault();
    if (e.ctrlKey) { zoomBy(e.deltaY < 0 ? 1 : -1); } else { go(state.slice + (e.deltaY > 0 ? 1 : -1)); }
  }, {passive: false});

  /* Drag on the image: right/left widens/narrows the window, down/up raises/lowers the level. */
  var drag = null;
  frame.addEventListener("pointerdown", function (e) {
    if (!state.current || e.button !== 0) { return; }
    drag = {x: e.clientX, y: e.clientY, center: state.center, width: state.width};
    frame.setPointerCapture(e.pointerId);
    frame.focus();
    e.preventDefault();
  });
  frame.addEventListener("pointermove", function (e) {
    if (!drag) { return; }
    var scale = Math.max(drag.width, 1) / 256;
    customWindow(drag.center + (e.clientY - drag.y) * scale, drag.width + (e.clientX - drag.x) * scale);
  });
  function endDrag() { drag = null; }
  frame.addEventListener("pointerup", endDrag);
  frame.addEventListener("pointercancel", endDrag);

  sliceInput.addEventListener("input", function () { go(parseInt(sliceInput.value, 10) - 1); });
  function typedWindow() {
    var c = parseFloat(centerInput.value), w = parseFloat(widthInput.value);
    if (isFinite(c) && isFinite(w) && w >= 1) { customWindow(c, w); }
  }
  centerInput.addEventListener("change", typedWindow);
  widthInput.addEventListener("change", typedWindow);
  presetSelect.addEventListener("change", function () { usePreset(presetSelect.value); });
  $("viewer-zoom-in").addEventListener("click", function () { zoomBy(1); });
  $("viewer-zoom-out").addEventListener("click", function () { zoomBy(-1); });
  $("viewer-zoom-fit").addEventListener("click", function () { state.zoom = 0; applyZoom(); });
  window.addEventListener("resize", applyZoom);

  var request = new XMLHttpRequest();
  request.open("GET", base);
  request.responseType = "json";
  request.onload = function () {
    var data = request.status === 200 ? request.response : null;
    if (!data || !data.series || !data.series.length) {
      root.classList.add("viewer-empty");
      label.textContent = data ? "No images are stored for this study." : "The images could not be loaded.";
      return;
    }
    state.series = data.series;
    var first = -1;
    data.series.forEach(function (s, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.setAttribute("aria-pressed", "false");
      if (s.problem) {  /* shown, but not selectable: the reader knows the series exists */
        b.textContent = s.label + " (cannot be shown)";
        b.disabled = true;
        b.title = s.problem;
      } else {
        b.textContent = s.label + " (" + s.slices + ")";
        b.addEventListener("click", function () { choose(i); frame.focus(); });
        if (first < 0) { first = i; }
      }
      list.appendChild(b);
    });
    if (first < 0) {
      root.classList.add("viewer-empty");
      label.textContent = "The stored images of this study cannot be shown: please tell the coordinator.";
      return;
    }
    root.classList.add("viewer-ready");
    choose(first);
  };
  request.onerror = function () { label.textContent = "The images could not be loaded."; };
  request.send();
})();
