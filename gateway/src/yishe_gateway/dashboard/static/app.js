// 社会组织培育发展看板 — the bureau staff's dashboard over the cultivation service (through the gateway).
// Signed in with a staff bearer token (POST /v1/auth/token, kept in this tab's sessionStorage). Every request goes to
// this origin; the gateway and the service scope each answer to the caller's jurisdiction.
"use strict";

(function () {
  const API = "/api/cultivation";
  const TOKEN_KEY = "yishe.dashboard.token";
  const $ = (id) => document.getElementById(id);
  const NAMES = window.YISHE_DIVISIONS || {};
  // A whole-city account (no prefix) looks at the city's own targets: the city's division prefix (divisions.js).
  const CITY = window.YISHE_CITY || "";
  const BANDS = ["示范型", "完善型", "提升型"];
  const BAND_COLOURS = { "示范型": "#2e7d32", "完善型": "#1565c0", "提升型": "#ef6c00", "未评估": "#90a4ae" };
  const charts = {};
  const state = { me: null, year: null, division: "", rows: [], drill: null };

  // ---------------------------------------------------------------- helpers
  function divisionName(code) {
    if (code === "" || code === undefined || code === null) return "全市";
    return NAMES[code] || code;
  }
  function num(v) {
    if (v === null || v === undefined || v === "") return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  function fmt(v, unit) {
    const n = num(v);
    if (n === null) return "—";
    const text = unit === "%" ? n.toFixed(1) : (Number.isInteger(n) ? n.toLocaleString("zh-CN") : n.toFixed(1));
    return text;
  }
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }
  function show(id, on) { $(id).hidden = !on; }

  class SignedOut extends Error {}

  async function call(path, params) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) throw new SignedOut();
    const url = new URL(path, location.origin);
    for (const [k, v] of Object.entries(params || {})) if (v !== "" && v !== null && v !== undefined) url.searchParams.set(k, v);
    let r;
    for (let attempt = 0; ; attempt++) {
      r = await fetch(url, { headers: { Authorization: "Bearer " + token, Accept: "application/json" } });
      // A figure that takes the service longer than the gateway waits (504) or a service restarting (502/503):
      // try twice more after a pause before saying so.
      if (![502, 503, 504].includes(r.status) || attempt >= 2) break;
      await new Promise((done) => setTimeout(done, 800 * (attempt + 1)));
    }
    if (r.status === 401) { sessionStorage.removeItem(TOKEN_KEY); throw new SignedOut(); }
    if (!r.ok) {
      let text = r.status + " " + r.statusText;
      try { const p = await r.json(); text = p.message_zh || (p.errors && p.errors[0] && p.errors[0].message_zh) || p.detail || text; } catch (_) { /* not JSON */ }
      const err = new Error(text); err.status = r.status; throw err;
    }
    return (r.headers.get("content-type") || "").includes("json") ? r.json() : r.text();
  }
  // The cultivation service, through the gateway.
  function cult(path, params) { return call(API + path, params); }

  function chart(id) {
    if (!window.echarts) return null;
    if (!charts[id]) charts[id] = window.echarts.init($(id), null, { renderer: "canvas" });
    return charts[id];
  }
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));

  // ---------------------------------------------------------------- sign-in
  async function signIn(event) {
    event.preventDefault();
    show("signin-error", false);
    const body = { username: $("username").value.trim(), password: $("password").value };
    const r = await fetch("/v1/auth/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (!r.ok) {
      $("signin-error").textContent = r.status === 429 ? "尝试次数过多，请稍后再试。" : "用户名或密码不正确。";
      show("signin-error", true);
      return;
    }
    const token = await r.json();
    sessionStorage.setItem(TOKEN_KEY, token.access_token);
    $("password").value = "";
    await start();
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    state.me = null;
    showSignIn();
  }

  function showSignIn() {
    show("board", false); show("who", false); show("signin-view", true);
    $("username").focus();
  }

  // ---------------------------------------------------------------- board
  async function start() {
    try {
      const me = await call("/v1/auth/me");
      if (!me || me.kind === "anonymous") throw new SignedOut();
      state.me = me;
      $("user").textContent = me.name || me.actor;
      $("scope").textContent = "管辖范围：" + (me.division ? divisionName(me.division) + "（" + me.division + "）" : "全市");
      show("signin-view", false); show("who", true); show("board", true);
      state.division = me.division || CITY;
      fillDivisions(state.division);
      await load(true);
    } catch (e) {
      if (e instanceof SignedOut) showSignIn(); else fail(e);
    }
  }

  function fillDivisions(prefix) {
    // The account's own level first, then the divisions one level down (counties under a city, townships under a
    // county); the service refuses anything outside the account's jurisdiction anyway.
    const select = $("division");
    select.replaceChildren(el("option", { value: prefix }, divisionName(prefix) + "（本级）"));
    const width = prefix.length <= 4 ? 6 : 9;
    const children = Object.keys(NAMES).filter((c) => c.startsWith(prefix) && c.length === width && c !== prefix
      && !c.endsWith("00"));
    for (const c of children.sort()) select.append(el("option", { value: c }, NAMES[c]));
    select.value = prefix;
    select.disabled = children.length === 0;
  }

  function fail(e) {
    $("board-error").textContent = "数据加载失败：" + (e && e.message ? e.message : e);
    show("board-error", true);
  }

  async function load(firstTime) {
    show("board-error", false);
    const params = { division: state.division, year: state.year };
    let progress;
    try {
      progress = await cult("/v1/targets/progress", params);
    } catch (e) {
      if (e instanceof SignedOut) return showSignIn();
      return fail(e);
    }
    state.year = progress.year;
    state.rows = progress.rows;
    if (firstTime) fillYears(progress.year);
    $("asof").textContent = "数据截至 " + progress.as_of;
    $("set-label").textContent = progress.set_label ? "（目标：" + progress.set_label + "）" : "（本年度尚未设定目标）";
    renderCards(progress.rows);
    fillIndicatorSelects(progress.rows);
    // One after another: the service computes each figure, and asking for all at once only makes each slower.
    for (const [panel, render] of [["trend-chart", renderTrend], ["breakdown-chart", renderBreakdown],
      ["band-chart", renderPlatforms], ["operation-chart", renderOperation], ["inactive", renderInactive]]) {
      try {
        await render();
        panelNote(panel, null);
      } catch (e) {
        if (e instanceof SignedOut) return showSignIn();
        panelNote(panel, "暂时无法加载：" + e.message);
      }
    }
  }

  // A panel's own message (a figure that could not be loaded), so the rest of the board stays usable.
  function panelNote(panel, text) {
    const section = $(panel).closest(".panel");
    let note = section.querySelector(".panel-note");
    if (!text) { if (note) note.remove(); return; }
    if (!note) { note = el("p", { class: "panel-note error", role: "status" }); section.append(note); }
    note.replaceChildren(text, " ", el("button", { type: "button", class: "link", onclick: () => load(false) }, "重试"));
  }

  function fillYears(current) {
    const select = $("year");
    select.replaceChildren();
    for (let y = current; y >= current - 5; y--) select.append(el("option", { value: String(y) }, y + " 年"));
    select.value = String(current);
  }

  function targetText(row) {
    if (row.target === null || row.target === undefined) return "未设定目标";
    const sign = { ">=": "≥", "<=": "≤", ">": ">", "<": "<" }[row.comparator] || row.comparator || "";
    return "目标 " + sign + " " + fmt(row.target, row.unit) + (row.unit === "%" ? "%" : " " + row.unit);
  }

  function renderCards(rows) {
    const box = $("cards");
    box.replaceChildren();
    for (const row of rows) {
      const pending = row.status === "pending" || row.value === null;
      const cls = row.met === true ? "met" : row.met === false ? "unmet" : "";
      const badge = pending ? el("span", { class: "badge" }, "待接入")
        : row.met === true ? el("span", { class: "badge met" }, "已达标")
        : row.met === false ? el("span", { class: "badge unmet" }, "未达标") : el("span", { class: "badge" }, "无目标");
      const value = pending
        ? el("span", { class: "value none" }, "暂无数据")
        : el("button", { type: "button", class: "value", title: "查看组成该数值的组织", dataset: { indicator: row.indicator },
            onclick: () => openDrill(row, state.division) },
          fmt(row.value, row.unit), el("span", { class: "unit" }, row.unit));
      const pct = num(row.progress);
      box.append(el("article", { class: "card " + cls, dataset: { indicator: row.indicator } },
        el("div", { class: "label" }, row.label, " ", badge),
        value,
        el("div", { class: "target" }, targetText(row)),
        pct === null ? null : el("div", { class: "bar", title: "完成 " + pct.toFixed(0) + "%" }, el("span", { style: "width:" + Math.min(100, pct) + "%" })),
        row.note ? el("div", { class: "note" }, row.note) : null));
    }
  }

  function fillIndicatorSelects(rows) {
    const live = rows.filter((r) => r.status !== "pending");
    // Counties compare best on grades; townships (a county's view) on their organisations' activity.
    const across = (state.division || "").length >= 6 ? "county_activity_lenient" : "grade_4a5a";
    for (const [id, preferred] of [["trend-indicator", "organisations_total"], ["breakdown-indicator", across]]) {
      const select = $(id);
      const keep = select.value;
      select.replaceChildren(...live.map((r) => el("option", { value: r.indicator }, r.label)));
      select.value = live.some((r) => r.indicator === keep) ? keep : (live.some((r) => r.indicator === preferred) ? preferred : (live[0] || {}).indicator || "");
    }
  }

  async function renderTrend() {
    const code = $("trend-indicator").value;
    const c = chart("trend-chart");
    if (!code || !c) return;
    const t = await cult(`/v1/targets/indicators/${code}/trend`, { division: state.division, to: state.year });
    const years = t.points.map((p) => String(p.year));
    c.setOption({
      tooltip: { trigger: "axis" }, legend: { data: ["实际", "目标"], top: 0 },
      grid: { left: 50, right: 16, top: 32, bottom: 28 },
      xAxis: { type: "category", data: years },
      yAxis: { type: "value", name: t.unit, minInterval: t.unit === "%" ? 0 : 1 },
      series: [
        { name: "实际", type: "bar", data: t.points.map((p) => num(p.value)), itemStyle: { color: "#1565c0" }, barMaxWidth: 36 },
        { name: "目标", type: "line", data: t.points.map((p) => num(p.target)), connectNulls: true, itemStyle: { color: "#b71c1c" }, lineStyle: { type: "dashed" } },
      ],
    }, true);
  }

  async function renderBreakdown() {
    const code = $("breakdown-indicator").value;
    const c = chart("breakdown-chart");
    if (!code || !c) return;
    const b = await cult(`/v1/targets/indicators/${code}/breakdown`, { division: state.division, year: state.year });
    const rows = b.rows.slice().sort((x, y) => (num(y.value) || 0) - (num(x.value) || 0));
    c.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 10, bottom: 10, containLabel: true },
      xAxis: { type: "value", name: b.unit },
      yAxis: { type: "category", inverse: true, data: rows.map((r) => divisionName(r.division_code)) },
      series: [{ type: "bar", data: rows.map((r) => ({ value: num(r.value), code: r.division_code })), itemStyle: { color: "#1565c0" },
        label: { show: true, position: "right" }, barMaxWidth: 22 }],
    }, true);
    c.off("click");
    c.on("click", (p) => {
      const row = state.rows.find((r) => r.indicator === code);
      if (row && p.data && p.data.code) openDrill(row, p.data.code);
    });
  }

  async function renderPlatforms() {
    const c = chart("band-chart");
    const platforms = await cult("/v1/platforms", { division: state.division });
    const counts = Object.fromEntries([...BANDS, "未评估"].map((b) => [b, 0]));
    for (const p of platforms) counts[BANDS.includes(p.latest_band) ? p.latest_band : "未评估"] += 1;
    $("platform-count").textContent = "（共 " + platforms.length + " 个）";
    if (!c) return;
    const narrow = $("band-chart").clientWidth < 480;  // a phone: the legend names the bands, labels show counts
    c.setOption({
      tooltip: { trigger: "item", formatter: "{b}：{c} 个（{d}%）" },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["38%", "68%"], center: ["50%", "45%"],
        label: narrow ? { position: "inside", formatter: (p) => (p.value ? String(p.value) : ""), color: "#fff", fontSize: 14 }
          : { formatter: "{b}\n{c} 个" },
        data: Object.entries(counts).map(([name, value]) => ({ name, value, itemStyle: { color: BAND_COLOURS[name] } })) }],
    }, true);
  }

  async function renderOperation() {
    const c = chart("operation-chart");
    const op = await cult("/v1/platforms/operation", { division: state.division, year: state.year });
    if (!c) return;
    const rows = op.rows;
    const target = num(op.total.target);
    c.setOption({
      tooltip: { trigger: "axis", valueFormatter: (v) => (v === null ? "—" : v.toFixed(1) + "%") },
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: rows.map((r) => divisionName(r.division_code)), axisLabel: { interval: 0, rotate: rows.length > 6 ? 40 : 0 } },
      yAxis: { type: "value", max: 100, name: "%" },
      series: [{ type: "bar", name: "实体运作率", barMaxWidth: 28,
        data: rows.map((r) => ({ value: num(r.share), itemStyle: { color: r.met === false ? "#c62828" : "#2e7d32" } })),
        markLine: target === null ? undefined : { symbol: "none", data: [{ yAxis: target, name: "目标" }], label: { formatter: "目标 {c}%", position: "insideEndTop" }, lineStyle: { color: "#b71c1c" } } }],
    }, true);
  }

  async function renderInactive() {
    const list = await cult("/v1/activity/inactive", { division: state.division, year: state.year });
    $("inactive-count").textContent = "（" + list.length + " 家）";
    const body = $("inactive").tBodies[0];
    body.replaceChildren(...list.slice(0, 500).map((o) => el("tr", {},
      el("td", { class: "name" }, o.name), el("td", {}, o.uscc || o.filing_no || ""),
      el("td", {}, divisionName(o.township_code || o.division_code)),
      el("td", {}, o.last_activity_on || "无记录"), el("td", {}, o.listed_on || "未公布"))));
    if (list.length > 500) body.append(el("tr", {}, el("td", { colspan: "5" }, "仅显示前 500 家，共 " + list.length + " 家")));
  }

  // ---------------------------------------------------------------- drill-down
  async function openDrill(row, division) {
    state.drill = { row, division };
    const dialog = $("drill");
    $("drill-title").textContent = row.label + " · " + divisionName(division || (state.me && state.me.division) || "");
    $("drill-summary").textContent = "加载中…";
    $("drill-table").tBodies[0].replaceChildren();
    document.querySelector('#drill input[name=counted][value="true"]').checked = true;
    if (!dialog.open) dialog.showModal();
    await fillDrill();
  }

  async function fillDrill() {
    const { row, division } = state.drill;
    const counted = document.querySelector("#drill input[name=counted]:checked").value;
    try {
      const r = await cult(`/v1/targets/indicators/${row.indicator}/records`, { division, year: state.year, counted });
      $("drill-summary").textContent = "数值 " + fmt(r.value, row.unit) + " " + row.unit + "；计入 " + r.counted + " 条，共 " + r.total + " 条记录。";
      $("drill-table").tBodies[0].replaceChildren(...r.records.slice(0, 1000).map((x) => el("tr", { class: x.counted ? "counted" : "" },
        el("td", { class: "name" }, x.name), el("td", {}, x.uscc || x.filing_no || x.key),
        el("td", {}, divisionName(x.township_code || x.division_code)),
        el("td", {}, [x.detail, x.amount !== null && x.amount !== undefined ? "¥" + fmt(x.amount) : null].filter(Boolean).join("；")))));
    } catch (e) {
      if (e instanceof SignedOut) { $("drill").close(); return showSignIn(); }
      $("drill-summary").textContent = "加载失败：" + e.message;
    }
  }

  async function downloadCsv() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const url = new URL(API + "/v1/targets/progress.csv", location.origin);
    if (state.division) url.searchParams.set("division", state.division);
    url.searchParams.set("year", state.year);
    const r = await fetch(url, { headers: { Authorization: "Bearer " + token } });
    if (!r.ok) return fail(new Error(r.status + " " + r.statusText));
    const a = el("a", { href: URL.createObjectURL(await r.blob()), download: `培育发展目标进度-${state.division || "本级"}-${state.year}.csv` });
    document.body.append(a); a.click(); a.remove();
  }

  // ---------------------------------------------------------------- wiring
  document.addEventListener("DOMContentLoaded", () => {
    $("signin").addEventListener("submit", (e) => signIn(e).catch(fail));
    $("signout").addEventListener("click", signOut);
    $("year").addEventListener("change", () => { state.year = Number($("year").value); load(false); });
    $("division").addEventListener("change", () => { state.division = $("division").value; load(false); });
    $("trend-indicator").addEventListener("change", () => renderTrend().catch(fail));
    $("breakdown-indicator").addEventListener("change", () => renderBreakdown().catch(fail));
    $("drill-close").addEventListener("click", () => $("drill").close());
    for (const r of document.querySelectorAll("#drill input[name=counted]")) r.addEventListener("change", fillDrill);
    $("csv").addEventListener("click", () => downloadCsv().catch(fail));
    if (sessionStorage.getItem(TOKEN_KEY)) start(); else showSignIn();
  });
})();
