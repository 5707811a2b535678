// Live preview of an announcement body in the admin: the server renders and sanitizes it
// with the same function the public pages use, so what you see is what members will see.
document.addEventListener("DOMContentLoaded", () => {
  const body = document.getElementById("id_body");
  if (!body) return;
  const form = body.closest("form");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = body.dataset.previewLabel || "预览正文";
  const output = document.createElement("div");
  output.className = "announcement-live-preview";
  output.style.cssText = "border:1px solid #ccc;padding:.5em 1em;margin-top:.5em;max-width:48em;";
  body.after(button, output);
  button.addEventListener("click", async () => {
    const data = new FormData();
    data.append("body", body.value);
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    const response = await fetch(body.dataset.previewUrl, {method: "POST", body: data,
                                                          credentials: "same-origin"});
    output.innerHTML = response.ok ? await response.text() : "";
  });
});
