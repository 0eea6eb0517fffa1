// Credit-risk class charts (ECharts): classes per county and per industry, stacked.
// The data comes from a json_script block; each chart has a table with the same figures.
(function () {
  "use strict";
  var el = document.getElementById("market-distribution");
  if (!el || typeof echarts === "undefined") return;
  var d = JSON.parse(el.textContent);
  var charts = [];
  function stacked(id, part) {
    var node = document.getElementById(id);
    if (!node) return;
    var chart = echarts.init(node);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: part.names, inverse: true },
      series: part.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "classes", data: s.data, itemStyle: { color: s.hex } };
      })
    });
    charts.push(chart);
  }
  stacked("county-chart", d.county);
  stacked("industry-chart", d.industry);
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
