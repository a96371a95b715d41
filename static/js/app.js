// Starts GOV.UK Frontend's components (error summary focus, service navigation toggle,
// notification banners, skip link...). Loaded as an ES module from base.html; people without
// JavaScript, or with browsers that lack modules, get the plain HTML, which works on its own.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();
