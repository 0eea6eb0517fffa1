// Brain charts (ECharts): sparklines, an indicator's series by dimension, the enterprise graph.
(function () {
  "use strict";
  var charts = [];
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function init(el) {
    var chart = echarts.getInstanceByDom(el) || echarts.init(el);
    charts.push(chart);
    return chart;
  }
  function draw() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll(".spark").forEach(function (el) {
      var values = (el.dataset.values || "").split(",").filter(function (v) { return v !== ""; }).map(Number);
      if (!values.length) return;
      init(el).setOption({
        grid: { left: 2, right: 2, top: 2, bottom: 2 },
        xAxis: { type: "category", show: false, data: values.map(function (_, i) { return i; }) },
        yAxis: { type: "value", show: false, scale: true },
        series: [{ type: "line", data: values, symbol: "none", lineStyle: { width: 2 }, areaStyle: { opacity: 0.15 } }]
      });
    });
    var series = data("series-data");
    var el = document.getElementById("series-chart");
    if (series && el) {
      var selected = {};
      series.series.forEach(function (s) { selected[s.name] = s.selected; });
      init(el).setOption({
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", bottom: 0, selected: selected },
        grid: { left: 8, right: 8, bottom: 36, top: 28, containLabel: true },
        xAxis: { type: "category", data: series.periods },
        yAxis: { type: "value", name: series.unit || "" },
        series: series.series.map(function (s) {
          return { name: s.name, type: "line", data: s.data, connectNulls: true };
        })
      });
    }
    var graph = data("graph-data");
    var el2 = document.getElementById("graph-chart");
    if (graph && el2) {
      var names = data("graph-categories") || graph.categories;
      init(el2).setOption({
        tooltip: {},
        legend: { top: 0, data: names },
        series: [{
          type: "graph",
          layout: "force",
          roam: true,
          draggable: true,
          label: { show: true, position: "right" },
          edgeLabel: { show: false },
          force: { repulsion: 220, edgeLength: 110 },
          categories: names.map(function (n) { return { name: n }; }),
          data: graph.nodes.map(function (n) {
            return { id: n.id, name: n.name, category: n.category, symbolSize: n.symbolSize || 26 };
          }),
          links: graph.edges.map(function (e) {
            return { source: e.source, target: e.target, value: e.label };
          })
        }]
      });
    }
  }
  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
