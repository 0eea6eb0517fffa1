// Shuzhi shell behaviour: large-text mode and the home charts (ECharts), re-drawn after HTMX swaps.
(function () {
  "use strict";

  function toggleLargeText() {
    var on = !document.documentElement.classList.contains("large-text");
    document.documentElement.classList.toggle("large-text", on);
    document.cookie = "large_text=" + (on ? "1" : "0") + ";path=/;max-age=31536000;samesite=lax";
    var button = document.getElementById("toggle-large-text");
    if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
    window.dispatchEvent(new Event("resize"));
  }

  var charts = [];

  function drawHomeCharts() {
    var data = document.getElementById("home-chart-data");
    if (!data || typeof echarts === "undefined") return;
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    var d = JSON.parse(data.textContent);
    var palette = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#198754", "#0dcaf0", "#6c757d"];
    function make(id, option) {
      var el = document.getElementById(id);
      if (!el) return;
      var chart = echarts.init(el, null, { renderer: "canvas" });
      option.color = palette;
      chart.setOption(option);
      charts.push(chart);
    }
    make("chart-counties", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 32, containLabel: true },
      xAxis: { type: "category", data: d.counties, axisLabel: { interval: 0, rotate: d.counties.length > 4 ? 30 : 0 } },
      yAxis: [{ type: "value" }, { type: "value" }],
      series: [
        { name: d.labels.enterprises, type: "bar", data: d.enterprises },
        { name: d.labels.residents, type: "bar", yAxisIndex: 1, data: d.residents }
      ]
    });
    make("chart-sections", {
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "70%"], label: { show: false }, data: d.sections }]
    });
    make("chart-ages", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 8, bottom: 8, top: 16, containLabel: true },
      xAxis: { type: "category", data: d.ages.map(function (a) { return a.band; }), axisLabel: { interval: 0 } },
      yAxis: { type: "value" },
      series: [{ name: d.labels.ages, type: "bar", data: d.ages.map(function (a) { return a.n; }) }]
    });
  }

  function drawLineage() {
    var data = document.getElementById("lineage-data");
    var el = document.getElementById("lineage-chart");
    if (!data || !el || typeof echarts === "undefined" || el.offsetWidth === 0) return;
    var d = JSON.parse(data.textContent);
    var chart = echarts.getInstanceByDom(el) || echarts.init(el);
    chart.setOption({
      tooltip: {},
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        force: { repulsion: 300, edgeLength: 140 },
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 10,
        label: { show: true },
        edgeLabel: { show: true, formatter: function (p) { return p.data.label; }, fontSize: 11 },
        data: d.nodes.map(function (n) {
          return { id: n.id, name: n.name, symbolSize: n.current ? 46 : 32,
                   itemStyle: { color: n.current ? "#fd7e14" : "#0d6efd" } };
        }),
        links: d.edges.map(function (e) { return { source: e.source, target: e.target, label: e.label }; })
      }]
    });
    charts.push(chart);
  }

  function drawQuality() {
    var data = document.getElementById("quality-data");
    var el = document.getElementById("quality-chart");
    if (!data || !el || typeof echarts === "undefined" || el.offsetWidth === 0) return;
    var d = JSON.parse(data.textContent);
    var chart = echarts.getInstanceByDom(el) || echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 8, bottom: 8, top: 16, containLabel: true },
      xAxis: { type: "category", data: d.map(function (p) { return "v" + p.version; }) },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{ type: "line", data: d.map(function (p) { return p.score; }), areaStyle: {} }]
    });
    charts.push(chart);
  }

  document.addEventListener("shown.bs.tab", function () { drawLineage(); drawQuality(); });

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("toggle-large-text");
    if (button) button.addEventListener("click", toggleLargeText);
    drawHomeCharts();
  });
  document.addEventListener("htmx:afterSettle", drawHomeCharts);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
