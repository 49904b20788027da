// Starts Swagger UI on /schema/swagger (app/api_docs.py) from a file, not an inline script,
// so the page keeps the Content-Security-Policy without 'unsafe-inline'.
window.addEventListener("DOMContentLoaded", function () {
  var container = document.getElementById("swagger-container");
  window.SwaggerUIBundle({
    url: container.dataset.spec,
    dom_id: "#swagger-container",
    deepLinking: true,
  });
});
