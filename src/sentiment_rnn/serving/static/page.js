// The page at /: send the text to /v1/predict and /v1/explain, show the answer, and draw the
// trajectory (p(label) after each word) and each word's importance as SVG. No libraries.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);
let kind = null;

async function call(path, body) {
  const response = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function element(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function showAnswer(answer) {
  $("label").textContent = answer.label;
  const table = $("probabilities");
  table.replaceChildren();
  for (const [label, p] of Object.entries(answer.probabilities)) {
    const row = table.insertRow();
    row.dataset.label = label;
    row.insertCell().textContent = label;
    row.insertCell().textContent = p.toFixed(3);
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.width = `${Math.round(p * 200)}px`;
    row.insertCell().append(bar);
  }
  $("result").hidden = false;
}

function drawTrajectory(report) {
  const tokens = report.tokens;
  const step = 48, left = 40, top = 10, height = 160, barHeight = 60;
  const width = left + step * tokens.length + 10;
  const svg = element("svg", {width, height: top + height + 40 + barHeight + 10, id: "trajectory"});
  const y = (p) => top + (1 - p) * height;
  svg.append(element("line", {x1: left, x2: width, y1: y(0), y2: y(0), class: "axis"}));
  svg.append(element("line", {x1: left, x2: width, y1: y(0.5), y2: y(0.5), class: "half"}));
  svg.append(element("text", {x: 4, y: y(1) + 4}, "1"), element("text", {x: 4, y: y(0) + 4}, "0"));
  const points = [];
  tokens.forEach((token, t) => {
    const x = left + step * t + step / 2;
    if (token.probabilities !== null) points.push([x, y(token.probabilities[report.label]), token]);
    svg.append(element("text", {x, y: top + height + 16, "text-anchor": "middle"}, token.word));
    if (token.importance !== null) {
      const size = Math.min(1, Math.abs(token.importance)) * barHeight;
      svg.append(element("rect", {
        x: x - 10, width: 20, height: Math.max(size, 1), y: top + height + 30 + barHeight - size,
        class: token.importance >= 0 ? "up" : "down", "data-importance": token.importance,
      }));
    }
  });
  svg.append(element("polyline", {
    class: "trajectory", points: points.map(([x, py]) => `${x},${py}`).join(" "),
    "data-points": points.length,
  }));
  for (const [x, py, token] of points) {
    if (token.flip_to !== null) {
      svg.append(element("circle", {cx: x, cy: py, r: 5, class: "flip", "data-to": token.flip_to}));
    }
  }
  $("chart").replaceChildren(svg);
  $("target").textContent = $("target2").textContent = report.label;
  $("explanation").hidden = false;
}

async function classify(event) {
  event.preventDefault();
  const text = $("text").value;
  $("error").hidden = true;
  $("go").disabled = true;
  document.body.dataset.state = "busy";
  try {
    showAnswer(await call("/v1/predict", {text}));
    if (kind === "rnn") drawTrajectory(await call("/v1/explain", {text}));
    document.body.dataset.state = "done";
  } catch (error) {
    $("error").textContent = error.message;
    $("error").hidden = false;
    document.body.dataset.state = "error";
  } finally {
    $("go").disabled = false;
  }
}

async function start() {
  $("form").addEventListener("submit", classify);
  try {
    const model = await call("/v1/model");
    kind = model.kind;
    $("model").textContent = `${model.path}: ${model.kind} run, labels ${model.labels.join(", ")}, ` +
      `answered by ${model.backend}`;
    document.body.dataset.state = "ready";
  } catch (error) {
    $("model").textContent = `cannot read the model: ${error.message}`;
  }
}

start();
