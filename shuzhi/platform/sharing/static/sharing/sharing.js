// Sharing usage charts (ECharts): calls and rows per day; rows served by department.
(function () {
  "use strict";
  var charts = [];
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw() {
    if (typeof echarts === "undefined") return;
    var usage = data("usage-data");
    var el = document.getElementById("usage-chart");
    var labels = (usage && usage.labels) || (data("department-data") || {}).labels || {};
    var calls = labels.calls || "Calls";
    var rows = labels.rows || "Rows";
    if (usage && el) {
      var chart = echarts.getInstanceByDom(el) || echarts.init(el);
      chart.setOption({
        color: ["#0d6efd", "#20c997"],
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 32, containLabel: true },
        xAxis: { type: "category", data: usage.days.map(function (d) { return d.slice(5); }) },
        yAxis: [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1 }],
        series: [
          { name: calls, type: "bar", data: usage.calls },
          { name: rows, type: "line", yAxisIndex: 1, data: usage.rows }
        ]
      });
      charts.push(chart);
    }
    var byDept = data("department-data");
    var el2 = document.getElementById("department-chart");
    if (byDept && el2) {
      var chart2 = echarts.getInstanceByDom(el2) || echarts.init(el2);
      chart2.setOption({
        color: ["#6f42c1", "#fd7e14"],
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 32, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: byDept.names },
        series: [
          { name: calls, type: "bar", data: byDept.calls },
          { name: rows, type: "bar", data: byDept.rows }
        ]
      });
      charts.push(chart2);
    }
  }
  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
