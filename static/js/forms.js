// Forms (templates/django/forms/): the error summary takes focus when the page loads, its
// links move focus to their field, and long text counts what is typed. No inline script:
// elements opt in with data attributes.
(function () {
  "use strict";

  function count(textarea) {
    const counter = document.getElementById(textarea.id + "_counter");
    if (!counter) {
      return;
    }
    const max = Number(textarea.dataset.maxlength);
    // Characters as the server counts them (a line break is one).
    const typed = Array.from(textarea.value).length;
    const over = typed > max;
    const template = over ? counter.dataset.overTemplate : counter.dataset.template;
    counter.textContent = template.replace("{n}", typed).replace("{over}", typed - max);
    counter.classList.toggle("text-danger", over);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("textarea[data-maxlength]")) {
      count(event.target);
    }
  });

  document.addEventListener("click", function (event) {
    const link = event.target.closest("[data-error-summary] a[href^='#']");
    const field = link && document.getElementById(link.hash.slice(1));
    if (field) {
      event.preventDefault();
      const label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView({block: "center"});
      field.focus({preventScroll: true});
    }
  });

  document.querySelectorAll("textarea[data-maxlength]").forEach(count);
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
