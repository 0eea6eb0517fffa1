// Random-inspection charts (ECharts): results by outcome (a ring) and, per credit-risk class,
// the enterprises of the class against those drawn (bars). The data comes from json_script
// blocks; each chart has a table with the same figures beside it.
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var charts = [];
  function data(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    return JSON.parse(el.textContent);
  }
  var results = data("inspection-results");
  var node = document.getElementById("results-chart");
  if (results && node) {
    var ring = echarts.init(node);
    ring.setOption({
      tooltip: { trigger: "item" },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie",
        radius: ["40%", "68%"],
        center: ["50%", "45%"],
        label: { formatter: "{c}" },
        data: results.rows.filter(function (r) { return r.count > 0; }).map(function (r) {
          return { name: r.name, value: r.count, itemStyle: { color: r.hex } };
        })
      }]
    });
    charts.push(ring);
  }
  var ratios = data("inspection-ratios");
  node = document.getElementById("ratios-chart");
  if (ratios && node) {
    var bars = echarts.init(node);
    bars.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
      xAxis: {
        type: "category",
        data: ratios.classes.map(function (c, i) { return c + " (" + ratios.ratios[i] + "%)"; })
      },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: ratios.labels.population, type: "bar", data: ratios.population,
          itemStyle: { color: "#ced4da" } },
        { name: ratios.labels.drawn, type: "bar",
          data: ratios.drawn.map(function (n, i) { return { value: n, itemStyle: { color: ratios.colours[i] } }; }) }
      ]
    });
    charts.push(bars);
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
