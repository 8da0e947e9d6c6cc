// The search page: browse the index page by page, search by clicking an image or uploading one.
"use strict";

(() => {
  const perPage = 24;
  let current = 1;
  let pages = 1;

  function k() {
    return document.getElementById("k").value || "12";
  }

  async function showPage(number) {
    const answer = await explorer.busy("loading the index…", () =>
      explorer.request(`/api/images?page=${number}&per_page=${perPage}`));
    if (!answer) return;
    current = answer.page;
    pages = answer.pages;
    const tiles = document.getElementById("tiles");
    tiles.replaceChildren(...answer.images.map((image) =>
      explorer.tile(image.id, image.has_image,
        [explorer.element("span", { class: "id", text: image.id })], searchId)));
    document.getElementById("page-label").textContent =
      `page ${current} of ${pages} (${answer.total} images)`;
    document.getElementById("previous").disabled = current <= 1;
    document.getElementById("next").disabled = current >= pages;
  }

  function showResults(answer, querySource, queryName) {
    const direction = answer.direction;
    document.getElementById("results-title").textContent =
      `Top ${answer.hits.length} by ${answer.metric} (${direction})`;
    document.getElementById("results-note").textContent =
      `features: ${answer.extractor} · click a result to search from it`;
    const queryImage = document.getElementById("query-image");
    queryImage.hidden = !querySource;
    if (querySource) queryImage.src = querySource;
    document.getElementById("query-name").textContent = queryName;
    const hits = document.getElementById("hits");
    hits.replaceChildren(...answer.hits.map((hit) => {
      const figure = explorer.tile(hit.id, hit.has_image, [
        explorer.element("span", { class: "rank", text: `#${hit.rank}` }),
        explorer.element("span", { class: "score", text: explorer.formatScore(hit.score) }),
        explorer.element("span", { class: "id", text: hit.id }),
      ], searchId);
      figure.classList.add("hit");
      return figure;
    }));
    const section = document.getElementById("results");
    section.hidden = false;
    section.scrollIntoView({ block: "start" });
  }

  async function searchId(id) {
    const answer = await explorer.busy(`searching with ${id}…`, () =>
      explorer.request(`/api/search?id=${encodeURIComponent(id)}&k=${k()}`));
    if (answer) {
      showResults(answer, answer.query.has_image ? explorer.imageUrl(id, true) : null,
        `query: ${id}`);
    }
  }

  async function searchFile(file) {
    if (!file) return;
    const form = new FormData();
    form.append("image", file);
    form.append("k", k());
    const answer = await explorer.busy(`searching with ${file.name}…`, () =>
      explorer.request("/api/search", form));
    if (answer) showResults(answer, URL.createObjectURL(file), `query: ${file.name} (uploaded)`);
  }

  const input = document.getElementById("query-file");
  input.addEventListener("change", () => searchFile(input.files[0]));
  const drop = document.getElementById("drop");
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    searchFile(event.dataTransfer.files[0]);
  });
  document.getElementById("previous").addEventListener("click", () => showPage(current - 1));
  document.getElementById("next").addEventListener("click", () => showPage(current + 1));
  showPage(1);
})();
