// Drag and drop onto the media page's upload form: a dropped file goes into the form's own
// file input and the form is sent as if chosen by hand (the page works without this file).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = form.querySelector("input[type=file]");
  const alt = form.querySelector("#alt");
  const help = form.querySelector(".drop-help");
  if (help) help.hidden = false;
  const images = /\.(jpe?g|png|webp|gif|avif)$/i;
  for (const kind of ["dragenter", "dragover"]) {
    form.addEventListener(kind, (e) => {
      e.preventDefault();
      form.classList.add("dragging");
    });
  }
  form.addEventListener("dragleave", () => form.classList.remove("dragging"));
  form.addEventListener("drop", (e) => {
    e.preventDefault();
    form.classList.remove("dragging");
    const files = e.dataTransfer && e.dataTransfer.files;
    if (!files || files.length === 0) return;
    const one = new DataTransfer();
    one.items.add(files[0]);
    input.files = one.files;
    // An image needs its alt text first: the form waits for it (the server says so too).
    if (images.test(files[0].name) && alt && alt.value.trim() === "") {
      alt.focus();
      return;
    }
    form.requestSubmit();
  });
});
