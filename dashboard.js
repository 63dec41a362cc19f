// The barycenter-jobs dashboard: one page over the GraphQL API at POST /admin/jobs.
//
// Everything it shows comes from the database that Barycenter also writes, so
// every value reaches the page as text (textContent), never as markup. The
// token, when the server needs one, lives in this tab's sessionStorage only.

"use strict";

const ENDPOINT = "/admin/jobs";
const REFRESH_MS = 5000;
const HISTORY_PAGE = 25;
const CHART_RUNS = 30;
const TOKEN_KEY = "barycenter-jobs-token";

const RUN_FIELDS = "id jobName startedAt completedAt success errorMessage recordsProcessed durationSeconds trigger";

const state = {
  jobNames: [],        // from availableJobs, in the server's order
  knownNames: new Set(),  // every job name seen, Barycenter's own included
  before: null,        // the history page: null for the newest, else the id of the run it follows
  busy: new Set(),     // jobs with a mutation in flight
  readOnly: false,     // signed in with the read token: no buttons
  timer: null,
};

const $ = (id) => document.getElementById(id);

// -- Talking to the server ------------------------------------------------------

class Unauthorized extends Error {}

async function graphql(query, variables) {
  const headers = {"Content-Type": "application/json", "Accept": "application/json"};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["Authorization"] = "Bearer " + token;
  const response = await fetch(ENDPOINT, {
    method: "POST", headers, body: JSON.stringify({query, variables}), cache: "no-store",
  });
  if (response.status === 401) throw new Unauthorized();
  state.readOnly = response.headers.get("X-Barycenter-Access") === "read";
  const body = await response.json();
  if (!response.ok || !body.data) {
    throw new Error((body.errors && body.errors[0] && body.errors[0].message) || ("HTTP " + response.status));
  }
  return body.data;
}

function dashboardQuery() {
  // One alias per job for its chart; job names travel as variables, never as query text.
  const charts = state.jobNames.map((_, i) =>
    `chart${i}: jobLogs(jobName: $job${i}, limit: ${CHART_RUNS}) { id startedAt success recordsProcessed errorMessage }`);
  const declarations = state.jobNames.map((_, i) => `, $job${i}: String`).join("");
  return `query Dashboard($job: String, $failures: Boolean, $before: ID${declarations}) {
    availableJobs { name description schedule nextRunAt running paused pausedAt pausedBy pauseReason
                    lastSuccessAt expiredRecords
                    lastRun { ${RUN_FIELDS} } }
    history: jobLogs(jobName: $job, onlyFailures: $failures, before: $before, limit: ${HISTORY_PAGE}) { ${RUN_FIELDS} }
    ${charts.join("\n    ")}
  }`;
}

async function refresh() {
  clearTimeout(state.timer);
  const variables = {
    job: $("filter-job").value || null,
    failures: $("filter-failures").checked,
    before: state.before,
  };
  state.jobNames.forEach((name, i) => { variables["job" + i] = name; });
  try {
    const data = await graphql(dashboardQuery(), variables);
    showConnection(true);
    const names = data.availableJobs.map((job) => job.name);
    const firstLoad = names.join() !== state.jobNames.join();
    state.jobNames = names;
    names.forEach((name) => state.knownNames.add(name));
    data.history.forEach((run) => state.knownNames.add(run.jobName));
    if (firstLoad) return refresh();  // now with a chart per job
    $("token-form").hidden = true;
    $("content").hidden = false;
    renderJobs(data);
    renderHistory(data.history);
    renderJobFilter();
  } catch (error) {
    if (error instanceof Unauthorized) return askForToken();
    showConnection(false, error);
  }
  clearTimeout(state.timer);  // a refresh that overlapped this one set it too
  state.timer = setTimeout(refresh, REFRESH_MS);
}

// The label's class is its state: connecting, live, locked or down; each looks different.
function showConnection(up, error) {
  const label = $("connection");
  label.className = "connection " + (up ? "live" : "down");
  label.textContent = up
    ? "Live · updated " + new Date().toISOString().slice(11, 19) + " UTC" + (state.readOnly ? " · read only" : "")
    : "Cannot reach the server (" + (error && error.message || "no answer") + "); retrying every "
      + REFRESH_MS / 1000 + " s";
}

// -- The token -------------------------------------------------------------------

function askForToken() {
  const refused = sessionStorage.getItem(TOKEN_KEY) !== null;
  sessionStorage.removeItem(TOKEN_KEY);
  $("content").hidden = true;
  $("token-form").hidden = false;
  $("connection").className = "connection locked";
  $("connection").textContent = "Locked";
  setMessage($("token-message"), refused ? "That token was not accepted. Check it and try again." : "", "bad");
  $("token").focus();
}

// -- Rendering ----------------------------------------------------------------------

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function cell(...children) {
  const td = document.createElement("td");
  children.filter((child) => child !== null).forEach((child) =>
    td.append(typeof child === "string" ? document.createTextNode(child) : child));
  return td;
}

// On a narrow screen each row is a card, and each cell says what it is (its column's header).
function labelled(tr, table) {
  const headers = document.querySelectorAll(`.${table} th`);
  [...tr.children].forEach((td, column) => { td.dataset.label = headers[column].textContent; });
  return tr;
}

function badge(text, kind) {
  return element("span", text, "badge " + kind);
}

function renderJobs(data) {
  const rows = data.availableJobs.map((job, i) => {
    const tr = document.createElement("tr");
    tr.dataset.job = job.name;
    tr.append(
      cell(element("span", job.name, "name"), element("span", job.description, "sub")),
      cell(element("code", job.schedule), element("span", describeCron(job.schedule), "sub")),
      cell(job.nextRunAt ? element("span", clock(job.nextRunAt)) : element("span", "—"),
           job.nextRunAt ? element("span", relative(job.nextRunAt), "sub") : element("span", "paused", "sub")),
      cell(stateBadge(job), job.paused && job.pausedBy ? element("span", "by " + job.pausedBy + ", "
           + clock(job.pausedAt) + (job.pauseReason ? ": " + job.pauseReason : ""), "sub") : null),
      cell(...lastRun(job.lastRun)),
      cell(job.lastSuccessAt ? element("span", clock(job.lastSuccessAt)) : element("span", "never"),
           job.lastSuccessAt ? element("span", relative(job.lastSuccessAt), "sub") : null),
      // The server counts a backlog up to 100,000 rows.
      cell(job.expiredRecords === null ? "—" : job.expiredRecords.toLocaleString("en")
           + (job.expiredRecords >= 100000 ? "+" : "")),
      cell(chart(data["chart" + i] || [])),
      state.readOnly ? cell() : actions(job),
    );
    return labelled(tr, "jobs");
  });
  $("jobs").replaceChildren(...rows);
}

function stateBadge(job) {
  if (job.running) {
    const records = job.lastRun && job.lastRun.completedAt === null ? job.lastRun.recordsProcessed || 0 : 0;
    return badge("Running · " + records.toLocaleString("en") + " deleted so far", "busy");
  }
  return job.paused ? badge("Paused", "pause") : badge("Scheduled", "idle");
}

function lastRun(run) {
  if (!run) return [element("span", "never ran")];
  const outcome = run.success === null ? badge("running", "busy")
    : run.success ? badge("succeeded", "ok") : badge("failed", "bad");
  const detail = [clock(run.startedAt), relative(run.startedAt)];
  if (run.recordsProcessed !== null) detail.push(run.recordsProcessed.toLocaleString("en") + " records");
  const parts = [outcome, element("span", detail.join(" · "), "sub")];
  if (run.errorMessage) parts.push(element("span", run.errorMessage, "sub error"));
  return parts;
}

function actions(job) {
  const td = element("td", null, "actions");
  const run = element("button", "Run now", "primary");
  run.type = "button";
  run.disabled = state.busy.has(job.name) || job.running;
  run.addEventListener("click", () => mutate("triggerJob", job.name, "running " + job.name + "…"));
  const pause = element("button", job.paused ? "Resume" : "Pause");
  pause.type = "button";
  pause.disabled = state.busy.has(job.name);
  pause.addEventListener("click", () => {
    if (job.paused) return mutate("resumeJob", job.name);
    const reason = prompt("Pause " + job.name + ": why? (optional; the next operator reads it)", "");
    if (reason !== null) mutate("pauseJob", job.name, null, reason.trim() || null);
  });
  td.append(run, pause);
  if (job.running) {
    const cancel = element("button", "Cancel");
    cancel.type = "button";
    cancel.disabled = state.busy.has(job.name);
    cancel.addEventListener("click", () => mutate("cancelJob", job.name));
    td.append(cancel);
  }
  return td;
}

// Recent runs, oldest on the left: a bar's height is the records it deleted;
// a failed run is a full red bar, one in progress a blue one.
function chart(runs) {
  const svgNS = "http://www.w3.org/2000/svg";
  const width = 150, height = 30, step = width / CHART_RUNS;
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("class", "runs");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.setAttribute("role", "img");
  const ordered = runs.slice().reverse();
  const most = Math.max(1, ...ordered.map((run) => run.recordsProcessed || 0));
  const base = document.createElementNS(svgNS, "line");
  base.setAttribute("x1", 0); base.setAttribute("x2", width);
  base.setAttribute("y1", height - 0.5); base.setAttribute("y2", height - 0.5);
  svg.append(base);
  ordered.forEach((run, i) => {
    const failed = run.success === false, running = run.success === null;
    const barHeight = failed || running ? height : Math.max(2, Math.round((run.recordsProcessed || 0) / most * height));
    const bar = document.createElementNS(svgNS, "rect");
    bar.setAttribute("x", (i * step + 1).toFixed(1));
    bar.setAttribute("width", Math.max(1, step - 2).toFixed(1));
    bar.setAttribute("y", height - barHeight);
    bar.setAttribute("height", barHeight);
    bar.setAttribute("class", failed ? "bad" : running ? "busy" : "ok");
    const title = document.createElementNS(svgNS, "title");
    title.textContent = clock(run.startedAt) + " · " + (running ? "running" : failed
      ? "failed: " + (run.errorMessage || "") : (run.recordsProcessed || 0) + " records");
    bar.append(title);
    svg.append(bar);
  });
  svg.setAttribute("aria-label", ordered.length + " recent runs, "
    + ordered.filter((run) => run.success === false).length + " failed");
  return svg;
}

function renderHistory(runs) {
  const rows = runs.map((run) => {
    const tr = document.createElement("tr");
    const outcome = run.success === null ? badge("running", "busy")
      : run.success ? badge("succeeded", "ok") : badge("failed", "bad");
    tr.append(
      cell(element("span", run.id, "mono")),
      cell(element("span", run.jobName, "name")),
      cell(clock(run.startedAt)),
      cell(duration(run.durationSeconds)),
      cell(outcome),
      cell(run.recordsProcessed === null ? "—" : run.recordsProcessed.toLocaleString("en")),
      cell(run.errorMessage ? element("span", run.errorMessage, "error") : null),
      cell(run.trigger || "—"),
    );
    tr.children[5].className = "number";
    return labelled(tr, "history");
  });
  $("history").replaceChildren(...rows);
  $("history-empty").hidden = runs.length > 0;
  $("older").disabled = runs.length < HISTORY_PAGE;
  $("older").dataset.before = runs.length ? runs[runs.length - 1].id : "";
  $("newest").disabled = state.before === null;
}

// Whole seconds: Barycenter's log keeps its times so.
function duration(seconds) {
  return seconds === null ? "—" : seconds === 0 ? "< 1 s" : seconds + " s";
}

function renderJobFilter() {
  const select = $("filter-job");
  const names = [...state.knownNames].sort();
  const shown = [...select.options].slice(1).map((option) => option.value);
  if (shown.join() === names.join()) return;  // rebuilding would close an open list
  const chosen = select.value;
  select.replaceChildren(element("option", "All jobs"), ...names.map((name) => element("option", name)));
  select.options[0].value = "";
  select.value = chosen;
}

function setMessage(node, text, kind) {
  node.textContent = text;
  node.className = "message " + (text ? kind : "");
}

// -- Actions -------------------------------------------------------------------------

async function mutate(verb, jobName, pending, reason) {
  state.busy.add(jobName);
  if (pending) setMessage($("notice"), pending, "ok");
  refresh();
  try {
    const why = verb === "pauseJob" ? ", $reason: String" : "";  // pauseJob takes a reason
    const data = await graphql(`mutation ($name: String!${why}) {
      result: ${verb}(jobName: $name${why && ", reason: $reason"}) { success message } }`, {name: jobName, reason});
    setMessage($("notice"), data.result.message, data.result.success ? "ok" : "bad");
  } catch (error) {
    if (error instanceof Unauthorized) return askForToken();
    setMessage($("notice"), jobName + ": " + error.message, "bad");
  } finally {
    state.busy.delete(jobName);
  }
  refresh();
}

// -- Words for times and schedules ---------------------------------------------------------

function clock(iso) {
  const today = new Date().toISOString().slice(0, 10);
  return iso.slice(0, 10) === today ? iso.slice(11, 19) : iso.slice(0, 10) + " " + iso.slice(11, 16);
}

function relative(iso) {
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const size = Math.abs(seconds);
  const text = size < 60 ? size + " s" : size < 3600 ? Math.round(size / 60) + " min"
    : size < 172800 ? Math.round(size / 3600) + " h" : Math.round(size / 86400) + " days";
  return seconds >= 0 ? "in " + text : text + " ago";
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const DAY_NAMES = {SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6};

// The common shapes of a six-field expression in words; anything else is left to the expression.
function describeCron(expression) {
  const [second, minute, hour, day, month, weekday] = expression.trim().split(/\s+/);
  const number = (field) => /^\d+$/.test(field);
  const every = (field) => field === "*";
  const step = (field) => (/^\*\/(\d+)$/.exec(field) || [])[1];
  const rest = (fields) => fields.every(every);
  const two = (n) => String(n).padStart(2, "0");
  if (rest([second, minute, hour, day, month, weekday])) return "every second";
  if (step(second) && rest([minute, hour, day, month, weekday])) return "every " + step(second) + " seconds";
  if (second !== "0") return "";
  if (rest([minute, hour, day, month, weekday])) return "every minute";
  if (step(minute) && rest([hour, day, month, weekday])) return "every " + step(minute) + " minutes";
  if (number(minute) && rest([hour, day, month, weekday])) return "every hour at :" + two(minute);
  if (!number(minute) || !number(hour) || !every(month)) return "";
  const time = two(hour) + ":" + two(minute);
  if (every(day) && every(weekday)) return "every day at " + time;
  const dayOfWeek = number(weekday) ? Number(weekday) : DAY_NAMES[weekday.toUpperCase()];
  if (every(day) && dayOfWeek !== undefined && dayOfWeek <= 7) return "every " + WEEKDAYS[dayOfWeek] + " at " + time;
  if (number(day) && every(weekday)) return "on day " + day + " of every month at " + time;
  return "";
}

// -- Start ---------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    refresh();
  });
  const firstPage = () => { state.before = null; refresh(); };
  $("filter-job").addEventListener("change", firstPage);
  $("filter-failures").addEventListener("change", firstPage);
  $("newest").addEventListener("click", firstPage);
  $("older").addEventListener("click", () => { state.before = $("older").dataset.before; refresh(); });
  refresh();
});
