/*
 * SpiD Helpdesk: the public request form on another website.
 *
 * Paste where the form should appear (the site must be listed in
 * Helpdesk settings > "Sites allowed to embed the form"):
 *
 *   <script src="https://help.example.com/spid_helpdesk_portal/static/embed/helpdesk-embed.js"
 *           data-height="900" async></script>
 *
 * The script replaces itself with an iframe showing /helpdesk/embed of the
 * server it was loaded from. Optional attributes: data-height (pixels,
 * default 900), data-target (the id of an element to put the iframe in).
 * Plain browser JavaScript, no dependency; not part of Odoo's assets.
 */
(function () {
    "use strict";
    var script = document.currentScript;
    if (!script || !script.src) {
        return;
    }
    var origin = new URL(script.src).origin;
    var iframe = document.createElement("iframe");
    iframe.src = origin + "/helpdesk/embed";
    iframe.title = script.getAttribute("data-title") || "Helpdesk request form";
    iframe.className = "spid-helpdesk-embed";
    iframe.style.width = "100%";
    iframe.style.border = "0";
    iframe.style.height = (parseInt(script.getAttribute("data-height"), 10) || 900) + "px";
    var targetId = script.getAttribute("data-target");
    var target = targetId && document.getElementById(targetId);
    if (target) {
        target.appendChild(iframe);
    } else {
        script.parentNode.insertBefore(iframe, script);
    }
})();
