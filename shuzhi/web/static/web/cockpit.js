// The leadership cockpit's charts (ECharts), re-drawn after each HTMX refresh of the panel.
// Every chart clicks through to the list behind its numbers.
(function () {
  "use strict";

  var charts = [];

  function go(url) { if (url) window.location.href = url; }

  function make(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return null;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    if (onClick) chart.on("click", onClick);
    charts.push(chart);
    return chart;
  }

  // green (none) → amber → red (the most open warnings)
  function warningColour(n, max) {
    if (!n) return "#198754";
    var share = max ? n / max : 1;
    if (share > 0.66) return "#dc3545";
    if (share > 0.33) return "#fd7e14";
    return "#ffc107";
  }

  function drawMap(d) {
    var map = d.map;
    var max = Math.max.apply(null, map.nodes.map(function (n) { return n.count; }).concat([0]));
    var el = document.getElementById("cockpit-map");
    var width = el ? el.clientWidth : 480;
    function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }
    var w = clamp(width * 0.17, 58, 96), h = clamp(width * 0.11, 40, 62);
    var font = width < 420 ? 11 : 13;
    make("cockpit-map", {
      tooltip: {
        formatter: function (p) {
          if (p.dataType !== "node") return "";
          return echarts.format.encodeHTML(p.data.name) + "<br>" + echarts.format.encodeHTML(d.labels.warnings) + ": " + p.data.value;
        }
      },
      series: [{
        type: "graph",
        layout: "none",
        roam: false,
        symbol: "roundRect",
        left: w / 2 + 4, right: w / 2 + 4, top: h / 2 + 4, bottom: h / 2 + 4,
        data: map.nodes.map(function (n) {
          var text = n.name + "\n" + n.count;
          return {
            id: n.code, name: n.name, x: n.x * 100, y: -n.y * 100, value: n.count, url: n.url,
            symbolSize: n.selected ? [w * 1.12, h * 1.12] : [w, h],
            itemStyle: {
              color: warningColour(n.count, max),
              borderColor: n.selected ? "#0d6efd" : "#ffffff",
              borderWidth: n.selected ? 4 : 2
            },
            label: { show: true, color: "#ffffff", fontWeight: "bold", fontSize: font, formatter: text, textBorderColor: "rgba(0,0,0,.45)", textBorderWidth: 2 }
          };
        }),
        links: map.links.map(function (l) { return { source: l[0], target: l[1] }; }),
        lineStyle: { color: "#adb5bd", width: 2, curveness: 0 },
        emphasis: { scale: 1.08 }
      }]
    }, function (p) { if (p.dataType === "node") go(p.data.url); });
  }

  function drawFlow(d) {
    var f = d.flow;
    make("cockpit-flow", {
      color: ["#0d6efd", "#198754", "#dc3545"],
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: f.days.map(function (s) { return s.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: d.labels.opened, type: "line", data: f.opened },
        { name: d.labels.closed, type: "line", data: f.closed },
        { name: d.labels.overdue, type: "bar", data: f.overdue }
      ]
    });
  }

  function drawStates(d) {
    var colours = {
      pending_dispatch: "#6c757d", pending_acceptance: "#0dcaf0", in_progress: "#0d6efd",
      pending_review: "#6f42c1", closed: "#198754", rated: "#20c997", suspended: "#ffc107"
    };
    make("cockpit-states", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, bottom: 8, top: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: d.states.map(function (s) { return s.label; }) },
      series: [{
        name: d.labels.tasks, type: "bar", label: { show: true, position: "right" },
        data: d.states.map(function (s) {
          return { value: s.count, url: s.url, itemStyle: { color: colours[s.state] || "#0d6efd" } };
        })
      }]
    }, function (p) { go(p.data && p.data.url); });
  }

  function drawRanking(d) {
    var r = d.ranking;
    make("cockpit-ranking", {
      color: ["#0d6efd"],
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 48, bottom: 8, top: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", inverse: true, data: r.rows.map(function (x) { return x.name; }) },
      series: [{
        name: d.labels.on_time, type: "bar", label: { show: true, position: "right", formatter: "{c}%" },
        data: r.rows.map(function (x) { return x.on_time === null ? 0 : x.on_time; })
      }]
    }, function () { go(r.url); });
  }

  function drawSparks(d) {
    Object.keys(d.sparks).forEach(function (id) {
      var values = d.sparks[id];
      make("spark-" + id, {
        animation: false,
        grid: { left: 2, right: 2, top: 4, bottom: 4 },
        xAxis: { type: "category", show: false, data: values.map(function (_v, i) { return i; }) },
        yAxis: { type: "value", show: false, scale: true },
        series: [{ type: "line", data: values, symbol: "none", smooth: true, lineStyle: { width: 2, color: "#0d6efd" }, areaStyle: { color: "rgba(13,110,253,.12)" } }]
      });
    });
  }

  function draw() {
    var data = document.getElementById("cockpit-data");
    if (!data || typeof echarts === "undefined") return;
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    var d = JSON.parse(data.textContent);
    drawMap(d);
    drawFlow(d);
    drawStates(d);
    drawRanking(d);
    drawSparks(d);
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);  // the refreshed panel brings new data
  // Redraw (not only resize): the map's county boxes scale with the chart's width.
  var pending = null;
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
    clearTimeout(pending);
    pending = setTimeout(draw, 200);
  });
})();
