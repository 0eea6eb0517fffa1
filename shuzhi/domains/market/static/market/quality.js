// Product quality spot checks (ECharts): pass rate (%) per county and per industry section.
// The data comes from a json_script block; each chart has a table with the same figures.
(function () {
  "use strict";
  var el = document.getElementById("quality-data");
  if (!el || typeof echarts === "undefined") return;
  var d = JSON.parse(el.textContent);
  var charts = [];
  function colour(rate) {
    if (rate === null) return "#adb5bd";
    if (rate >= 95) return "#198754";
    if (rate >= 85) return "#fd7e14";
    return "#dc3545";
  }
  function bars(id, part) {
    var node = document.getElementById(id);
    if (!node || !part) return;
    var chart = echarts.init(node);
    chart.setOption({
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var i = items[0].dataIndex;
          return part.names[i] + "<br>" + part.rates[i] + "% (" + part.totals[i] + ")";
        }
      },
      grid: { left: 8, right: 24, bottom: 8, top: 16, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: part.names, inverse: true },
      series: [{
        type: "bar",
        data: part.rates.map(function (r) { return { value: r, itemStyle: { color: colour(r) } }; }),
        label: { show: true, position: "right", formatter: "{c}%" }
      }]
    });
    charts.push(chart);
  }
  bars("quality-county-chart", d.county);
  bars("quality-industry-chart", d.industry);
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
