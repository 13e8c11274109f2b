// docs/site/reference/swagger-init.js: starts Swagger UI on the site's own OpenAPI document.
// A file of its own because the docs' Content-Security-Policy allows no inline script.
// "Try it out" sends its requests to the spec's server, "/", i.e. this same origin, which the
// CSP's connect-src 'self' allows; nothing leaves it (no validator badge, no other spec URL).
'use strict';

window.addEventListener('DOMContentLoaded', function () {
  window.ui = window.SwaggerUIBundle({
    url: new URL('../openapi.yaml', document.baseURI).href,
    dom_id: '#swagger-ui',
    layout: 'BaseLayout',   // no top bar: the page shows this API's document and no other
    presets: [window.SwaggerUIBundle.presets.apis],
    deepLinking: true,
    queryConfigEnabled: false,   // ignore ?url=... and friends in the page's address
    validatorUrl: null,          // the default would fetch a badge from validator.swagger.io
    displayRequestDuration: true,
    persistAuthorization: false, // an API key typed into "Authorize" is not kept in localStorage
  });
});
