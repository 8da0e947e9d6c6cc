// The match page: drag a box on an uploaded image (or upload a template), see the best boxes
// drawn on the image and the score map as a heatmap.
"use strict";

(() => {
  const picture = document.getElementById("picture");
  const overlay = document.getElementById("overlay");
  const imageInput = document.getElementById("image-file");
  const templateInput = document.getElementById("template-file");
  const method = document.getElementById("method");
  const findButton = document.getElementById("find");
  let box = null;      // the dragged template, in the uploaded image's pixels
  let drag = null;     // the drag in progress, in displayed pixels
  let found = null;    // the last answer

  // Displayed pixels per uploaded-image pixel.
  function zoom() {
    return picture.clientWidth / picture.naturalWidth;
  }

  function draw() {
    overlay.width = picture.clientWidth;
    overlay.height = picture.clientHeight;
    const context = overlay.getContext("2d");
    context.clearRect(0, 0, overlay.width, overlay.height);
    context.lineWidth = 2;
    if (box) {
      const z = zoom();
      context.setLineDash([6, 4]);
      context.strokeStyle = "#00e5ff";
      context.strokeRect(box.col * z, box.row * z, box.width * z, box.height * z);
      context.setLineDash([]);
    }
    if (found) {
      const z = picture.clientWidth / found.size[1];
      context.font = "bold 14px sans-serif";
      found.matches.forEach((match, i) => {
        context.strokeStyle = i === 0 ? "#ff2d55" : "#ffcc00";
        context.strokeRect(match.col * z, match.row * z, match.width * z, match.height * z);
        context.fillStyle = context.strokeStyle;  // the rank on a tab of the box's colour
        context.fillRect(match.col * z - 1, match.row * z - 1, 18, 19);
        context.fillStyle = "#000";
        context.fillText(`${i + 1}`, match.col * z + 4, match.row * z + 14);
      });
    }
  }

  function point(event) {
    const rect = overlay.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  overlay.addEventListener("pointerdown", (event) => {
    drag = { start: point(event), end: point(event) };
    overlay.setPointerCapture(event.pointerId);
  });
  overlay.addEventListener("pointermove", (event) => {
    if (!drag) return;
    drag.end = point(event);
    const z = zoom();
    box = {
      row: Math.round(Math.min(drag.start.y, drag.end.y) / z),
      col: Math.round(Math.min(drag.start.x, drag.end.x) / z),
      height: Math.round(Math.abs(drag.end.y - drag.start.y) / z),
      width: Math.round(Math.abs(drag.end.x - drag.start.x) / z),
    };
    found = null;
    draw();
  });
  overlay.addEventListener("pointerup", () => {
    drag = null;
    if (box && (box.width < 4 || box.height < 4)) box = null;
    describeTemplate();
    draw();
  });

  function describeTemplate() {
    const label = document.getElementById("box-label");
    if (templateInput.files[0]) {
      label.textContent = `template: ${templateInput.files[0].name} (uploaded)`;
    } else if (box) {
      label.textContent = `template: the box at row ${box.row}, col ${box.col}, ` +
        `${box.height}×${box.width} pixels`;
    } else {
      label.textContent = "No template yet: drag a rectangle on the image.";
    }
    findButton.disabled = !imageInput.files[0] || !(box || templateInput.files[0]);
  }

  imageInput.addEventListener("change", () => {
    const file = imageInput.files[0];
    box = null;
    found = null;
    document.getElementById("heat").hidden = true;
    document.getElementById("found").hidden = true;
    if (!file) return;
    picture.onload = () => { document.getElementById("stage").hidden = false; draw(); };
    picture.src = URL.createObjectURL(file);
    describeTemplate();
  });
  templateInput.addEventListener("change", describeTemplate);
  method.addEventListener("change", () => {
    document.getElementById("scales").disabled = method.value !== "features";
  });
  window.addEventListener("resize", draw);

  findButton.addEventListener("click", async () => {
    const form = new FormData();
    form.append("image", imageInput.files[0]);
    if (templateInput.files[0]) form.append("template", templateInput.files[0]);
    else if (box) form.append("box", `${box.row},${box.col},${box.height},${box.width}`);
    form.append("method", method.value);
    form.append("scales", document.getElementById("scales").value);
    form.append("k", document.getElementById("k").value || "1");
    const answer = await explorer.busy("matching…", () => explorer.request("/api/match", form));
    if (!answer) return;
    found = answer;
    draw();
    const map = answer.score_map;
    document.getElementById("heatmap").src = map.png;
    document.getElementById("heat-caption").textContent =
      `score map ${map.shape[0]}×${map.shape[1]} (${answer.direction}; bright = better), ` +
      `from ${explorer.formatScore(map.min)} to ${explorer.formatScore(map.max)}`;
    document.getElementById("heat").hidden = false;
    const scale = answer.scale === null ? "" : `, best template scale ${answer.scale}`;
    document.getElementById("found-title").textContent =
      `${answer.matches.length} best box(es) by ${answer.method} (${answer.direction})${scale}`;
    document.getElementById("boxes").replaceChildren(...answer.matches.map((match) =>
      explorer.element("li", { class: "match", text:
        `row ${match.row}, col ${match.col}, ${match.height}×${match.width}: ` +
        `score ${explorer.formatScore(match.score)}` })));
    document.getElementById("found").hidden = false;
  });
})();
