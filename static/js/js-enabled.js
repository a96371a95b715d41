// Runs first thing in <body> (a file, not an inline script: the CSP allows only 'self').
// GOV.UK Frontend's styles for JavaScript-enhanced components key off these two classes;
// 'govuk-frontend-supported' only where ES modules run, as GOV.UK's own template does.
document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
