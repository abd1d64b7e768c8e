/* Task page: while the task runs, follow its events (server-sent, one connection) and show
   the stage, the progress inside it and a preview; poll status.json only when events are
   unavailable. When the task ends, reload the page so the server renders the result. */
(function () {
  "use strict";
  var live = document.getElementById("live-status");
  if (!live) return;
  var statusUrl = live.getAttribute("data-status-url");
  var eventsUrl = live.getAttribute("data-events-url");
  var labels = JSON.parse(document.getElementById("task-labels").textContent);
  var stageLine = document.getElementById("stage-line");
  var progressLine = document.getElementById("progress-line");
  var preview = document.getElementById("progress-preview");
  var elapsedEl = document.getElementById("elapsed");
  var cancelForm = document.getElementById("cancel-form");
  var steps = document.querySelectorAll("#stages li");
  var order = Array.prototype.map.call(steps, function (li) { return li.getAttribute("data-stage"); });
  var elapsed = parseInt(live.getAttribute("data-elapsed-ms"), 10) || 0;
  var measuredAt = Date.now();
  var lastStage = null;
  var failures = 0;
  var finished = false;

  function formatSeconds(ms) {
    var seconds = ms / 1000;
    return (seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)) + " s";
  }

  function tick() {
    elapsedEl.textContent = formatSeconds(elapsed + (Date.now() - measuredAt));
  }

  function showProgress(progress) {
    if (!progress) {
      progressLine.hidden = true;
      return;
    }
    var text = progress.phase || "";
    if (progress.step && progress.steps) text += " · " + progress.step + " / " + progress.steps;
    progressLine.textContent = text;
    progressLine.hidden = !text;
    if (progress.preview_url && preview.getAttribute("src") !== progress.preview_url) {
      preview.src = progress.preview_url;
      preview.hidden = false;
    }
  }

  function show(state) {
    elapsed = state.elapsed_ms;
    measuredAt = Date.now();
    var current = order.indexOf(state.stage);
    steps.forEach(function (li, index) {
      var done = index < current || state.status === "completed";
      li.className = done ? "done" : index === current ? "current" : "todo";
      if (index === current && !done) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    });
    if (state.stage !== lastStage) {
      stageLine.textContent = (labels.status[state.status] || state.status) + " · " +
        (labels.stage[state.stage] || state.stage);
      lastStage = state.stage;
    }
    showProgress(state.progress);
    // Only a task that has not started can be cancelled: offer it only then.
    if (cancelForm && state.status !== "pending") cancelForm.hidden = true;
    if (state.is_final) finish();
  }

  function finish() {
    if (finished) return;
    finished = true;
    window.location.reload();
  }

  function poll() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 404) {
          finish();
          throw new Error("gone");
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        show(state);
        if (!state.is_final) window.setTimeout(poll, 1000);
      })
      .catch(function (error) {
        if (error.message === "gone") return;
        failures += 1;
        window.setTimeout(poll, Math.min(10000, 1000 * Math.pow(2, failures)));
      });
  }

  function follow() {
    if (!window.EventSource || !eventsUrl) {
      window.setTimeout(poll, 500);
      return;
    }
    var source = new EventSource(eventsUrl);
    source.addEventListener("status", function (event) {
      failures = 0;
      show(JSON.parse(event.data));
    });
    source.addEventListener("end", function () {
      source.close();
      finish();
    });
    source.addEventListener("timeout", function () {
      source.close();
      window.setTimeout(follow, 1000);
    });
    source.onerror = function () {
      // The browser reconnects by itself; after repeated errors (a 401, 404 or 429 ends the
      // stream for good) fall back to polling.
      failures += 1;
      if (source.readyState === EventSource.CLOSED || failures > 3) {
        source.close();
        if (!finished) window.setTimeout(poll, 1000);
      }
    };
  }

  window.setInterval(tick, 200);
  follow();
})();
