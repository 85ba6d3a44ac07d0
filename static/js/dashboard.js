// Draws the dashboard's charts from the JSON the server put in #chart-data (json_script).
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  var monthlyEl = document.getElementById("chart-monthly");
  if (monthlyEl) {
    var monthly = echarts.init(monthlyEl);
    var series = [{ name: data.city.name, type: "line", data: data.city.data, lineStyle: { width: 3 } }];
    data.towns.forEach(function (town) {
      series.push({ name: town.name, type: "line", data: town.data, symbol: "none",
                    lineStyle: { width: 1 }, emphasis: { focus: "series" } });
    });
    monthly.setOption({
      animation: false,
      tooltip: { trigger: "axis", confine: true, renderMode: "richText" },
      legend: { type: "scroll", top: 0, selected: {} },
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    });
    charts.push(monthly);
  }

  var progressEl = document.getElementById("chart-progress");
  if (progressEl) {
    var progress = echarts.init(progressEl);
    progress.setOption({
      animation: false,
      tooltip: { trigger: "axis", confine: true, renderMode: "richText", valueFormatter: function (v) { return v + "%"; } },
      grid: { left: 64, right: 48, top: 8, bottom: 24 },
      xAxis: { type: "value", max: 100 },
      yAxis: { type: "category", data: data.progress.towns, inverse: true },
      series: [{ type: "bar", data: data.progress.values, label: { show: true, position: "right",
                 formatter: "{c}%" } }]
    });
    charts.push(progress);
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
