// Rankings chart (ECharts): on-time closure rate (bars) and satisfaction (line) per row.
(function () {
  "use strict";
  var chart = null;
  function draw() {
    var holder = document.getElementById("ranking-data");
    var el = document.getElementById("ranking-chart");
    if (!holder || !el || typeof echarts === "undefined") return;
    var data = JSON.parse(holder.textContent);
    chart = echarts.getInstanceByDom(el) || echarts.init(el);
    chart.setOption({
      color: ["#198754", "#0d6efd"],
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 32, containLabel: true },
      xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: data.names.length > 6 ? 30 : 0 } },
      yAxis: [{ type: "value", max: 100 }, { type: "value", min: 0, max: 5 }],
      series: [
        { name: data.labels.on_time, type: "bar", data: data.on_time },
        { name: data.labels.rating, type: "line", yAxisIndex: 1, data: data.rating }
      ]
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("resize", function () { if (chart) chart.resize(); });
})();
