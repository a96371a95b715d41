// Starts GOV.UK Frontend's components. Loaded as a module, so browsers without modules
// (and people without JavaScript) get the plain, fully working HTML.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
