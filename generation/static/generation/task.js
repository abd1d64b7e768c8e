/* Task page: while the task runs, poll its status and show the stage and elapsed time;
   when it ends, reload the page so the server renders the result. */
(function () {
  "use strict";
  var live = document.getElementById("live-status");
  if (!live) return;
  var url = live.getAttribute("data-status-url");
  var labels = JSON.parse(document.getElementById("task-labels").textContent);
  var stageLine = document.getElementById("stage-line");
  var elapsedEl = document.getElementById("elapsed");
  var steps = document.querySelectorAll("#stages li");
  var order = Array.prototype.map.call(steps, function (li) { return li.getAttribute("data-stage"); });
  var elapsed = parseInt(live.getAttribute("data-elapsed-ms"), 10) || 0;
  var measuredAt = Date.now();
  var lastStage = null;
  var delay = 1000;
  var failures = 0;

  function formatSeconds(ms) {
    var seconds = ms / 1000;
    return (seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)) + " s";
  }

  function tick() {
    elapsedEl.textContent = formatSeconds(elapsed + (Date.now() - measuredAt));
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
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 404) {
          window.location.reload();
          throw new Error("gone");
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        show(state);
        if (state.is_final) {
          window.location.reload();
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function (error) {
        if (error.message === "gone") return;
        failures += 1;
        window.setTimeout(poll, Math.min(10000, delay * Math.pow(2, failures)));
      });
  }

  window.setInterval(tick, 200);
  window.setTimeout(poll, 500);
})();
