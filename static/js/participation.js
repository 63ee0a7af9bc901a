// Charts of the reports and statistics pages, drawn from the JSON the API serves, and the
// rotating QR screen. Every chart has an accessible table beside it, so the page reads the same
// without JavaScript. No inline script (CSP): data comes from data-* attributes and fetch().
(function () {
  "use strict";

  var COLOURS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#6c757d", "#ffc107"];

  function colour(i, alpha) {
    var hex = COLOURS[i % COLOURS.length];
    if (!alpha) { return hex; }
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function pick(data, path) {
    return path.split(".").reduce(function (obj, key) { return obj == null ? obj : obj[key]; }, data);
  }

  function text(el, name, fallback) {
    return el.getAttribute("data-label-" + name) || fallback;
  }

  // Each kind turns the API's JSON into Chart.js's {type, data, options}.
  var KINDS = {
    "registry-month": function (data, el) {
      var rows = data.by_month || [];
      return {
        type: "bar",
        data: {
          labels: rows.map(function (r) { return r.month; }),
          datasets: [
            { label: text(el, "registered", "Registered"), data: rows.map(function (r) { return r.registered; }), backgroundColor: colour(0) },
            { label: text(el, "verified", "Verified"), data: rows.map(function (r) { return r.verified; }), backgroundColor: colour(1) }
          ]
        }
      };
    },
    "registry-kecamatan": function (data, el) {
      var rows = data.by_kecamatan || [];
      var key = data.public ? "verified" : "registered";
      var sets = [{ label: text(el, key, key), data: rows.map(function (r) { return r[key]; }), backgroundColor: colour(0) }];
      if (!data.public) {
        sets.push({ label: text(el, "verified", "Verified"), data: rows.map(function (r) { return r.verified; }), backgroundColor: colour(1) });
      }
      return { type: "bar", data: { labels: rows.map(function (r) { return r.name; }), datasets: sets }, options: { indexAxis: "y" } };
    },
    "registry-kbli": function (data, el) {
      var rows = data.by_kbli_division || [];
      var key = data.public ? "verified" : "registered";
      return {
        type: "bar",
        data: {
          labels: rows.map(function (r) { return r.division ? r.division + " " + r.title : r.title; }),
          datasets: [{ label: text(el, key, key), data: rows.map(function (r) { return r[key]; }), backgroundColor: colour(2) }]
        },
        options: { indexAxis: "y" }
      };
    },
    "registry-size": function (data, el) {
      var rows = data.by_size_class || [];
      return {
        type: "doughnut",
        data: {
          labels: rows.map(function (r) { return r.label; }),
          datasets: [{ label: text(el, "count", "Businesses"), data: rows.map(function (r) { return r.count; }), backgroundColor: rows.map(function (r, i) { return colour(i); }) }]
        }
      };
    },
    "funnel": function (data, el) {
      var steps = data.steps || [];
      return {
        type: "bar",
        data: {
          labels: steps.map(function (s) { return s.label; }),
          datasets: [{ label: text(el, "count", "Businesses"), data: steps.map(function (s) { return s.count; }), backgroundColor: steps.map(function (s, i) { return colour(i); }) }]
        },
        options: { plugins: { legend: { display: false } } }
      };
    },
    "attendance": function (data, el) {
      var rows = (data.attendance && data.attendance.sessions || []).filter(function (s) { return s.held; });
      return {
        type: "line",
        data: {
          labels: rows.map(function (s) { return s.title; }),
          datasets: [{ label: text(el, "rate", "Attendance (%)"), data: rows.map(function (s) { return s.rate; }), borderColor: colour(1), backgroundColor: colour(1, 0.2), fill: true, tension: 0.2 }]
        },
        options: { scales: { y: { min: 0, max: 100 } }, plugins: { legend: { display: false } } }
      };
    },
    "outcomes": function (data, el) {
      var rows = data.outcomes || [];
      return {
        type: "bar",
        data: {
          labels: rows.map(function (r) { return r.label; }),
          datasets: [
            { label: text(el, "answered", "Answered"), data: rows.map(function (r) { return r.answered; }), backgroundColor: colour(1) },
            { label: text(el, "waiting", "Waiting"), data: rows.map(function (r) { return r.waiting; }), backgroundColor: colour(6) }
          ]
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true } } }
      };
    },
    // One figure of the impact report, all tracks: the interquartile range as a floating bar
    // and the median as a point, per group.
    "impact": function (data, el) {
      var key = el.getAttribute("data-figure");
      var figure = (data.figures || []).filter(function (f) { return f.key === key; })[0];
      if (!figure) { return null; }
      var groups = data.groups || [];
      var cells = groups.map(function (g) {
        return figure.cells.filter(function (c) { return c.track === null && c.group === g.key; })[0] || {};
      });
      var labels = groups.map(function (g, i) { return g.label + " (n=" + (cells[i].n || 0) + ")"; });
      if (figure.kind === "share") {
        return {
          type: "bar",
          data: { labels: labels, datasets: [{ label: text(el, "share", "%"), data: cells.map(function (c) { return c.share; }), backgroundColor: groups.map(function (g, i) { return colour(i); }) }] },
          options: { scales: { y: { min: 0, max: 100 } }, plugins: { legend: { display: false } } }
        };
      }
      return {
        type: "bar",
        data: {
          labels: labels,
          datasets: [
            { type: "bar", label: text(el, "spread", "Q1–Q3"), data: cells.map(function (c) { return c.q1 === null || c.q1 === undefined ? null : [c.q1, c.q3]; }), backgroundColor: groups.map(function (g, i) { return colour(i, 0.35); }), borderColor: groups.map(function (g, i) { return colour(i); }), borderWidth: 1 },
            { type: "line", label: text(el, "median", "Median"), data: cells.map(function (c) { return c.median; }), showLine: false, pointRadius: 7, pointStyle: "rectRot", borderColor: "#212529", backgroundColor: "#212529" }
          ]
        }
      };
    }
  };

  var cache = {};
  function load(src) {
    if (!cache[src]) {
      cache[src] = fetch(src, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
    }
    return cache[src];
  }

  function draw(canvas) {
    var kind = KINDS[canvas.getAttribute("data-chart")];
    var src = canvas.getAttribute("data-src");
    if (!kind || !src || typeof window.Chart === "undefined") { return; }
    load(src).then(function (data) {
      var config = kind(data, canvas);
      if (!config) { return; }
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
      canvas.removeAttribute("hidden");  // shown first, so Chart.js measures its box
      new window.Chart(canvas, config);
    }).catch(function () { /* the table beside it holds the same figures */ });
  }

  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // The session's QR screen: fetch the current code when the step changes.
  function qrScreen(box) {
    var src = box.getAttribute("data-state");
    var img = box.querySelector("img");
    var code = box.querySelector("[data-code]");
    var left = box.querySelector("[data-seconds]");
    var step = box.getAttribute("data-step");
    var seconds = parseInt(box.getAttribute("data-seconds-left") || "60", 10);
    function refresh() {
      fetch(src, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (state) {
          if (!state.open) { window.location.reload(); return; }
          if (String(state.step) !== String(step)) {
            step = state.step;
            img.src = state.image;
            code.textContent = state.code;
          }
          seconds = state.seconds_left;
        })
        .catch(function () { /* keep the last code; the next tick tries again */ });
    }
    window.setInterval(function () {
      seconds -= 1;
      if (left) { left.textContent = Math.max(seconds, 0); }
      if (seconds <= 0) { refresh(); }
    }, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
    document.querySelectorAll("[data-qr-screen]").forEach(qrScreen);
    printButtons();
  });
})();
