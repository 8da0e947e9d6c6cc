// The classify page: upload a photo, see the five most likely ImageNet classes as bars.
"use strict";

(() => {
  const input = document.getElementById("photo-file");
  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    const form = new FormData();
    form.append("image", file);
    form.append("k", "5");
    const answer = await explorer.busy(`classifying ${file.name}…`, () =>
      explorer.request("/api/classify", form));
    if (!answer) return;
    document.getElementById("photo").src = URL.createObjectURL(file);
    document.getElementById("model-name").textContent = `${answer.model}: top ${answer.classes.length}`;
    document.getElementById("bars").replaceChildren(...answer.classes.map((guess) => {
      const percent = (100 * guess.probability).toFixed(1);
      const bar = explorer.element("span", { class: "bar" });
      bar.style.width = `${Math.max(0.5, 100 * guess.probability)}%`;
      return explorer.element("li", { class: "guess" }, [
        explorer.element("span", { class: "label", text: guess.label }),
        explorer.element("span", { class: "track" }, [bar]),
        explorer.element("span", { class: "percent", text: `${percent}%` }),
      ]);
    }));
    document.getElementById("answer").hidden = false;
  });
})();
