// Environment dashboard charts (ECharts, loaded from the npm package, no CDN): AQI calendar,
// pollutant trends, section classes on a plain lon/lat scatter (no map tiles), days by level.
(function () {
  "use strict";
  var el = document.getElementById("environment-dashboard");
  if (!el || typeof echarts === "undefined") return;
  var d = JSON.parse(el.textContent);
  var charts = [];
  function draw(id, option) {
    var node = document.getElementById(id);
    if (!node) return;
    var chart = echarts.getInstanceByDom(node) || echarts.init(node);
    chart.setOption(option);
    charts.push(chart);
  }
  var grid = { left: 8, right: 16, bottom: 8, top: 64, containLabel: true };
  var narrow = window.innerWidth < 576;
  draw("calendar-chart", {
    tooltip: { formatter: function (p) { return p.value[0] + ": AQI " + p.value[1]; } },
    visualMap: {
      type: "piecewise", show: false,
      pieces: d.levels.map(function (l) { return { min: l.min, max: l.max, color: l.color, label: l.label }; })
    },
    calendar: {
      range: String(d.year), top: 30, left: narrow ? 40 : 30, right: 10, bottom: 10,
      orient: narrow ? "vertical" : "horizontal", cellSize: ["auto", "auto"],
      dayLabel: { firstDay: 1 }, yearLabel: { show: false }
    },
    series: [{ type: "heatmap", coordinateSystem: "calendar", data: d.calendar }]
  });
  var names = Object.keys(d.trends);
  draw("trend-chart", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: grid,
    dataZoom: [{ type: "inside" }],
    xAxis: { type: "category", data: d.trend_days },
    yAxis: [{ type: "value", name: "µg/m³" }, { type: "value", name: "CO mg/m³" }],
    series: names.map(function (n) {
      return { name: n, type: "line", showSymbol: d.trend_days.length <= 31, connectNulls: false, yAxisIndex: n === "CO" ? 1 : 0, data: d.trends[n] };
    })
  });
  // a plain lon/lat scatter (no map tiles): the axes span the sections with a margin
  function span(i) {
    var values = d.sections.map(function (s) { return s.value[i]; });
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    var pad = Math.max((hi - lo) * 0.15, 0.05);
    return { min: +(lo - pad).toFixed(2), max: +(hi + pad).toFixed(2) };
  }
  function classLabel(p) { return p.data.county + " · " + p.data["class"]; }
  if (d.sections.length) {
    var x = span(0), y = span(1);
    draw("section-chart", {
      tooltip: {
        formatter: function (p) {
          var s = p.data, esc = echarts.format.encodeHTML;  // the tooltip is HTML: names are text
          return esc(s.name) + " (" + esc(s.county) + ")<br>" + esc(s["class"]) + " / " + esc(s.target);
        }
      },
      legend: { top: 0 },
      grid: { left: 8, right: 40, bottom: 8, top: 48, containLabel: true },
      xAxis: { type: "value", name: "E", min: x.min, max: x.max },
      yAxis: { type: "value", name: "N", min: y.min, max: y.max },
      series: [
        { name: d.labels.class_met, type: "scatter", symbolSize: 14, itemStyle: { color: "#198754" },
          label: { show: true, position: "right", formatter: classLabel },
          data: d.sections.filter(function (s) { return !s.worse; }) },
        { name: d.labels.class_worse, type: "scatter", symbolSize: 16, itemStyle: { color: "#dc3545" },
          label: { show: true, position: "right", formatter: classLabel },
          data: d.sections.filter(function (s) { return s.worse; }) }
      ]
    });
  }
  draw("exceedance-chart", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: grid,
    xAxis: { type: "category", data: d.exceedance.names, axisLabel: { interval: 0, rotate: d.exceedance.names.length > 4 ? 30 : 0 } },
    yAxis: { type: "value", name: d.labels.days, minInterval: 1 },
    series: d.exceedance.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "levels", data: s.data, itemStyle: { color: s.color } };
    })
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
