// The duplicates page: groups of near-copies found by the index, as rows of thumbnails.
"use strict";

(() => {
  async function find() {
    const threshold = document.getElementById("threshold").value.trim();
    const url = "/api/duplicates" + (threshold ? `?threshold=${encodeURIComponent(threshold)}` : "");
    const answer = await explorer.busy("looking for near-duplicates…", () => explorer.request(url));
    if (!answer) return;
    document.getElementById("groups-title").textContent =
      `${answer.groups.length} group(s) · ${answer.metric} (${answer.direction})`;
    document.getElementById("groups").replaceChildren(...answer.groups.map((group) => {
      const score = group.score === null ? "" : `best pair ${explorer.formatScore(group.score)}`;
      return explorer.element("div", { class: "group" }, [
        explorer.element("p", { class: "note", text: `${group.ids.length} images ${score}` }),
        explorer.element("div", { class: "grid" }, group.ids.map((id, i) =>
          explorer.tile(id, group.has_image[i], [explorer.element("span", { class: "id", text: id })]))),
      ]);
    }));
    document.getElementById("groups-panel").hidden = false;
  }
  document.getElementById("find").addEventListener("click", find);
})();
