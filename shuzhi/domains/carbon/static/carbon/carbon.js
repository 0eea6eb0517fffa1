// Carbon account charts (ECharts): the dashboard, an enterprise's trend, a bank's report.
// Each chart reads its data from a json_script block; every chart has a table view beside it.
(function () {
  "use strict";
  var charts = [];
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.getInstanceByDom(el) || echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }
  var grid = { left: 8, right: 16, bottom: 8, top: 36, containLabel: true };
  function bars(names, values, name, colour, horizontal) {
    var category = { type: "category", data: names, axisLabel: { interval: 0, rotate: !horizontal && names.length > 6 ? 30 : 0 } };
    var value = { type: "value", name: horizontal ? "" : name };
    return {
      color: [colour || "#0d6efd"],
      tooltip: { trigger: "axis" },
      grid: grid,
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{ name: name, type: "bar", data: values }]
    };
  }
  function dashboard(d) {
    var l = d.labels;
    draw("county-chart", {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: grid,
      xAxis: { type: "category", data: d.county.names },
      yAxis: [{ type: "value", name: l.tco2 }, { type: "value", name: l.enterprises }],
      series: [{ name: l.tco2, type: "bar", data: d.county.tco2, itemStyle: { color: "#6c757d" } }].concat(
        d.county.colours.map(function (s) {
          return { name: s.name, type: "bar", stack: "colours", yAxisIndex: 1, data: s.data, itemStyle: { color: s.hex } };
        }))
    });
    draw("industry-chart", bars(d.industry.names, d.industry.tco2, l.tco2, "#0d6efd"));
    draw("month-chart", {
      color: ["#198754"],
      tooltip: { trigger: "axis" },
      grid: grid,
      xAxis: { type: "category", data: d.month.names },
      yAxis: { type: "value", name: l.tco2 },
      series: [{ name: l.tco2, type: "line", data: d.month.tco2, areaStyle: { opacity: 0.15 } }]
    });
    draw("top-chart", bars(d.top.names, d.top.tco2, l.tco2, "#dc3545", true));
    draw("box-chart", {
      tooltip: { trigger: "item" },
      grid: grid,
      xAxis: { type: "category", data: d.box.names },
      yAxis: { type: "value", name: l.intensity, scale: true },
      series: [{ name: l.intensity, type: "boxplot", data: d.box.boxes, itemStyle: { color: "#e7f1ff", borderColor: "#0d6efd" } }]
    });
    draw("sector-chart", {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: grid,
      xAxis: { type: "category", data: d.sectors.names },
      yAxis: { type: "value", name: l.tco2 },
      series: d.sectors.series.map(function (s) { return { name: s.name, type: "bar", stack: "domains", data: s.data }; })
    });
  }
  function enterprise(d) {
    if (d.lines.length) {
      draw("trend-chart", {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: grid,
        xAxis: { type: "category", data: d.months },
        yAxis: { type: "value", name: d.labels.tco2 },
        series: d.lines.map(function (s) { return { name: s.name, type: "line", data: s.data, connectNulls: true }; })
      });
    }
    draw("years-chart", {
      color: ["#6c757d", "#fd7e14"],
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: grid,
      xAxis: { type: "category", data: d.years },
      yAxis: [{ type: "value", name: d.labels.tco2 }, { type: "value", name: d.labels.intensity }],
      series: [
        { name: d.labels.tco2, type: "bar", data: d.totals },
        { name: d.labels.intensity, type: "line", yAxisIndex: 1, data: d.intensity, connectNulls: true }
      ]
    });
  }
  function report(d) {
    draw("report-chart", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: grid,
      xAxis: { type: "category", data: d.years },
      yAxis: [{ type: "value", name: d.labels.tco2 }, { type: "value", name: d.labels.intensity }],
      series: [
        { name: d.labels.tco2, type: "bar", data: d.tco2.map(function (v, i) { return { value: v, itemStyle: { color: d.colours[i] } }; }) },
        { name: d.labels.intensity, type: "line", yAxisIndex: 1, data: d.intensity, connectNulls: true, itemStyle: { color: "#212529" } }
      ]
    });
  }
  function start() {
    if (typeof echarts === "undefined") return;
    var d = data("carbon-dashboard");
    if (d) dashboard(d);
    var e = data("carbon-trend");
    if (e) enterprise(e);
    var r = data("carbon-report");
    if (r) report(r);
  }
  document.addEventListener("DOMContentLoaded", start);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
