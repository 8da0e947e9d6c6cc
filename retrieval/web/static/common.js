// Shared helpers of the explorer's pages: requests, messages, building elements.
"use strict";

const explorer = {
  // GET or POST (with a FormData body) a JSON endpoint; throws an Error with the server's message.
  async request(url, form) {
    const options = form ? { method: "POST", body: form } : {};
    let response;
    try {
      response = await fetch(url, options);
    } catch (error) {
      throw new Error("the server cannot be reached (is 'retrieval serve' still running?)");
    }
    let answer = null;
    try {
      answer = await response.json();
    } catch (error) {
      throw new Error(`the server answered ${response.status} without a message`);
    }
    if (!response.ok) {
      throw new Error(answer.error || `the server answered ${response.status}`);
    }
    return answer;
  },

  showError(message) {
    const box = document.getElementById("error");
    box.textContent = message;
    box.hidden = !message;
    if (message) this.status("");
  },

  status(message) {
    document.getElementById("status").textContent = message;
  },

  // Run an async job with a status line while it runs and its error shown if it fails.
  async busy(message, job) {
    this.showError("");
    this.status(message);
    document.body.classList.add("busy");
    try {
      const result = await job();
      this.status("");
      return result;
    } catch (error) {
      this.showError(error.message);
      return null;
    } finally {
      document.body.classList.remove("busy");
    }
  },

  imageUrl(id, thumb) {
    return "/image?id=" + encodeURIComponent(id) + (thumb ? "&thumb=1" : "");
  },

  element(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children || []) node.appendChild(child);
    return node;
  },

  // A figure with an indexed image's thumbnail (or its id when it has no file) and a caption.
  tile(id, hasImage, captionNodes, onClick) {
    const picture = hasImage
      ? this.element("img", { src: this.imageUrl(id, true), alt: id, loading: "lazy" })
      : this.element("div", { class: "no-image", text: "no file" });
    const figure = this.element("figure", { class: "tile", "data-id": id, title: id }, [
      picture, this.element("figcaption", {}, captionNodes)]);
    if (onClick) {
      figure.classList.add("clickable");
      figure.tabIndex = 0;
      figure.addEventListener("click", () => onClick(id));
      figure.addEventListener("keydown", (event) => { if (event.key === "Enter") onClick(id); });
    }
    return figure;
  },

  formatScore(score) {
    return Math.abs(score) >= 1e4 ? score.toFixed(1) : score.toFixed(4);
  },
};
